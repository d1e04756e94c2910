"""The official calendar, the statutory clocks as data, and each case's running clocks.

Glossary: 法定节假日 holiday · 调休上班日 make-up workday · 期限 clock · 届满日 due date ·
工作日 workday · 延期 extension.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import PetitionType


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班日"


class CalendarDay(models.Model):
    """A day that departs from the Monday-to-Friday rule: a holiday, or a weekend workday."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=30, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "日历调整日"
        verbose_name_plural = "日历调整日"

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


# The seeded years' source (``calendar.SEED_SOURCE``, the package the migration read) in words.
SEEDED_SOURCES = {"chinesecalendar": "国务院办公厅历年节假日安排（系统预置）"}


class CalendarYear(models.Model):
    """A year whose official schedule has been entered. Without it, dates are provisional."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = "已录入年度"
        verbose_name_plural = "已录入年度"

    def __str__(self) -> str:
        return str(self.year)

    @property
    def source_label(self) -> str:
        return SEEDED_SOURCES.get(self.source, self.source)


class DayCount(models.TextChoices):
    CALENDAR = "calendar", "日（自然日）"
    WORKDAYS = "workdays", "工作日"


class ClockKind(models.TextChoices):
    DEADLINE = "deadline", "办理期限（逾期即超期）"
    WINDOW = "window", "申请期限（过期不能再申请）"


ALL_PETITION_TYPES = ",".join(PetitionType.values)


class Clock(models.Model):
    """One statutory clock, e.g. 受理告知 15 日 from receipt (《信访工作条例》第23条).

    ``start_action`` and ``stop_actions`` name case steps (the ``action`` of a CaseEvent).
    ``petition_types`` says which kinds of matter it runs for: the 60-day 办结 clock only for
    申诉求决类 (第三十四条 names the matters of 第三十一条第六项). Changing its length or steps does
    not rewrite running deadlines; changing the petition types adds or withdraws the running ones
    of open cases, each with an event (``actions.update_clock``). Every change is logged.
    """

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    start_action = models.CharField("起算环节", max_length=30)
    stop_actions = models.CharField("终止环节", max_length=200, help_text="以逗号分隔")
    length = models.PositiveSmallIntegerField("期限长度")
    day_count = models.CharField("计算方式", max_length=10, choices=DayCount.choices)
    kind = models.CharField("类别", max_length=10, choices=ClockKind.choices, default=ClockKind.DEADLINE)
    legal_basis = models.CharField("法律依据", max_length=120)
    petition_types = models.CharField(
        "适用的信访类型", max_length=60, default=ALL_PETITION_TYPES, help_text="以逗号分隔"
    )
    active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "法定期限"
        verbose_name_plural = "法定期限"

    def __str__(self) -> str:
        return f"{self.name}（{self.length}{self.get_day_count_display()}）"

    @property
    def stop_action_list(self) -> list[str]:
        return [a.strip() for a in self.stop_actions.split(",") if a.strip()]

    @property
    def petition_type_list(self) -> list[str]:
        return [t.strip() for t in self.petition_types.split(",") if t.strip()]

    def applies_to(self, petition_type: str) -> bool:
        return petition_type in self.petition_type_list

    @property
    def petition_types_display(self) -> str:
        kinds = self.petition_type_list
        if set(kinds) >= set(PetitionType.values):
            return "各类信访事项"
        return "、".join(PetitionType(t).label for t in PetitionType.values if t in kinds) or "无"


class CaseDeadline(models.Model):
    """A clock running on one case. Overdue is derived from ``due_on`` and today, never stored."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
    # The case's unit, copied when the clock starts (a case never changes unit): the figures count
    # deadlines per unit from the indexes below without reading the cases (xinfang.figures).
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    clock = models.ForeignKey(Clock, on_delete=models.PROTECT, related_name="+")
    # Copied from the clock when it starts: a later change of the rule does not rewrite history.
    length = models.PositiveSmallIntegerField("期限长度")
    day_count = models.CharField("计算方式", max_length=10, choices=DayCount.choices)
    started_on = models.DateField("起算日")
    started_by = models.CharField("起算环节", max_length=30, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    due_on = models.DateField("届满日")  # indexed below
    # Periods not counted (第三十六条: a hearing's days): [{"from": iso, "to": iso, "reason": …}].
    pauses = models.JSONField("不计入期限的期间", default=list, blank=True)
    provisional = models.BooleanField("暂定", default=False)
    provisional_reason = models.CharField("暂定原因", max_length=200, blank=True)
    stopped_on = models.DateField("终止日", null=True, blank=True, db_index=True)
    stopped_by = models.CharField("终止环节", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["stopped_on", "due_on"]),
            # The figures' timeliness rates: every column they read, so a year's count reads the
            # index alone (xinfang.figures.selectors.unit_figures).
            models.Index(
                fields=["due_on", "unit", "clock", "stopped_on", "stopped_by"], name="casedeadline_figures"
            ),
            # The ever-late deadlines (stopped after the due date, or not stopped): the only ones
            # that can be 超期 on any day. The figures' overdue count reads just these
            # (figures.selectors.EVER_LATE repeats this condition so both databases use the index).
            models.Index(
                fields=["due_on", "unit", "clock", "started_on", "stopped_on", "case"],
                name="casedeadline_late",
                condition=models.Q(stopped_on__isnull=True) | models.Q(stopped_on__gt=models.F("due_on")),
            ),
            # A unit's running clocks, soonest first (the worklist: deadlines.selectors.running).
            models.Index(
                fields=["unit", "due_on"],
                name="casedeadline_running",
                condition=models.Q(stopped_on__isnull=True),
            ),
        ]
        verbose_name = "事项期限"
        verbose_name_plural = "事项期限"

    def __str__(self) -> str:
        return f"{self.case_id} {self.clock_id} {self.due_on}"

    def save(self, *args, **kwargs):
        if self.unit_id is None and self.case_id is not None:
            self.unit_id = self.case.unit_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.stopped_on is None
