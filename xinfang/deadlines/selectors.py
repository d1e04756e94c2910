"""What reads clocks and the calendar: a case's clocks with their state, the calculator, the years."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from xinfang.access import rules
from xinfang.cases import workflow
from xinfang.cases.hooks import RunningClocks
from xinfang.cases.models import Case, CaseStatus
from xinfang.cases.selectors import cases_for
from xinfang.cases.steps import STEPS
from xinfang.deadlines import calendar as official
from xinfang.deadlines.compute import (
    WORKDAYS,
    Calendar,
    add_workdays,
    due_date,
    paused_days,
)
from xinfang.deadlines.models import CalendarDay, CalendarYear, CaseDeadline, Clock, ClockKind, DayKind

# "即将到期": due within this many workdays from today (the worklist uses the same window).
DUE_SOON_WORKDAYS = 3


@dataclass(frozen=True)
class DeadlineState:
    deadline: CaseDeadline
    overdue: bool  # running, a 办理期限, and the due date has passed
    days_left: int | None  # calendar days from today to the due date; None once stopped
    state: str  # 已完成 · 已终止 · 已重新起算 · 逾期提出 · 按期 · 即将到期 · 超期 · 已届满 · 暂定
    css: str  # done · ok · soon · overdue · provisional (the badge's deadline-… class)
    late: bool = False  # stopped after its due date (a 办理期限 met late)
    pause: Pause | None = None  # days not counted (听证), where there are


def _state(deadline: CaseDeadline, today: datetime.date, soon_until: datetime.date) -> DeadlineState:
    clock = deadline.clock
    is_deadline = clock.kind == ClockKind.DEADLINE
    if deadline.stopped_on is not None:
        late = is_deadline and deadline.stopped_on > deadline.due_on
        if deadline.stopped_by in clock.stop_action_list:
            label = "已完成（逾期）" if late else "已完成"
            closer = STEPS.get(deadline.stopped_by)
            if closer is not None and closer.window == clock.code and deadline.stopped_on > deadline.due_on:
                label = "逾期提出"  # the request after its window, recorded with its reason
        elif deadline.stopped_by == clock.start_action:
            label = "已重新起算"  # started again by its step (复核 window: from the 复查意见's delivery)
        else:
            label = "已终止"
        return DeadlineState(deadline, overdue=False, days_left=None, state=label, css="done", late=late)
    days_left = (deadline.due_on - today).days
    if deadline.due_on < today:
        if is_deadline:
            return DeadlineState(deadline, overdue=True, days_left=days_left, state="超期", css="overdue")
        return DeadlineState(deadline, overdue=False, days_left=days_left, state="已届满", css="done")
    if deadline.provisional:
        return DeadlineState(deadline, overdue=False, days_left=days_left, state="暂定", css="provisional")
    if deadline.due_on <= soon_until:
        return DeadlineState(deadline, overdue=False, days_left=days_left, state="即将到期", css="soon")
    return DeadlineState(deadline, overdue=False, days_left=days_left, state="按期", css="ok")


def _in_order(deadlines: QuerySet[CaseDeadline]) -> QuerySet[CaseDeadline]:
    return deadlines.select_related("clock").order_by("started_on", "clock__sort_order", "id")


# A case's clocks, running and stopped, as its page reads them (``case.deadlines.all()``): the
# 法定期限 card and the 个人信息保存 card (``cases.hooks.Panel.prefetch_related``).
CASE_DEADLINES = Prefetch("deadlines", queryset=_in_order(CaseDeadline.objects.all()))


def deadlines_for_case(case, today: datetime.date | None = None) -> list[DeadlineState]:
    """The case's clocks, running and stopped, each with its state as of ``today``."""
    return _states(list(_in_order(CaseDeadline.objects.filter(case=case))), today)


def _states(deadlines: list[CaseDeadline], today: datetime.date | None) -> list[DeadlineState]:
    if not deadlines:
        return []
    today = today or timezone.localdate()
    calendar = official.load()
    soon_until = add_workdays(today, DUE_SOON_WORKDAYS, calendar)
    return [replace(_state(d, today, soon_until), pause=pause_of(d, calendar)) for d in deadlines]


def case_panel(case, user) -> dict | None:
    """The case page's 法定期限 card (registered in ``apps.py``, with ``CASE_DEADLINES``): None
    while no clock ran."""
    deadlines = _states(list(case.deadlines.all()), None)
    return {"deadlines": deadlines} if deadlines else None


# What a worklist row shows of a running clock (``cases/_work_rows.html``, the bureau's board).
WORKLIST_COLUMNS = (
    "due_on",
    "provisional",
    "provisional_reason",
    "clock__name",
    "case__number",
    "case__title",
    "case__unit__name",
    "case__unit__sort_order",
    "case__agent__full_name",
)


class CaseClocks:
    """What ``xinfang.cases`` asks of the clocks (``cases.hooks.provide_clocks``)."""

    def running(self, user, today: datetime.date, *, shown: int | None = None) -> RunningClocks:
        """The running 办理期限 of the open cases ``user`` may see: passed, and due within
        ``DUE_SOON_WORKDAYS`` workdays, soonest first; with ``shown``, the first ``shown`` of
        each list, and every clock's unit (the counts). Two queries however many clocks run."""
        soon_until = add_workdays(today, DUE_SOON_WORKDAYS, official.load())
        # Scoped by the clock's own unit (the case's, copied when it started): a unit's running
        # clocks are read from the ``casedeadline_running`` index, not every unit's.
        running = (
            rules.scoped(
                CaseDeadline.objects.filter(
                    stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE, due_on__lte=soon_until
                ),
                user,
                "view_cases",
            )
            .exclude(case__status__in=workflow.FINAL)
            .order_by("due_on", "case__number", "pk")
        )
        # Every running clock as three numbers, then whole rows for those shown: a unit with
        # hundreds of clocks passed builds twenty rows, not hundreds.
        keys = list(running.values_list("pk", "due_on", "case__unit_id"))
        overdue = [key for key in keys if key[1] < today]
        due_soon = [key for key in keys if key[1] >= today]
        if shown is not None:
            overdue_shown, due_soon_shown = overdue[:shown], due_soon[:shown]
        else:
            overdue_shown, due_soon_shown = overdue, due_soon
        wanted = [key[0] for key in overdue_shown + due_soon_shown]
        # Only the columns a worklist shows: a case's encrypted values (content, platform
        # password …) are neither read nor decrypted.
        rows = (
            {
                d.pk: d
                for d in CaseDeadline.objects.filter(pk__in=wanted)
                .select_related("clock", "case", "case__unit", "case__agent")
                .only(*WORKLIST_COLUMNS)
            }
            if wanted
            else {}
        )
        return RunningClocks(
            soon_until=soon_until,
            overdue=[rows[key[0]] for key in overdue_shown if key[0] in rows],
            due_soon=[rows[key[0]] for key in due_soon_shown if key[0] in rows],
            unclocked=unclocked_cases(cases_for(user).exclude(status__in=workflow.FINAL).values("pk")),
            overdue_units=[key[2] for key in overdue],
            due_soon_units=[key[2] for key in due_soon],
        )

    def terms(self) -> dict[str, str]:
        return clock_terms()

    def names(self) -> dict[str, str]:
        return dict(Clock.objects.values_list("code", "name"))

    def window_end(self, case, code: str) -> datetime.date | None:
        """The last day of the running clock ``code`` on the case (a request window), or None."""
        return (
            CaseDeadline.objects.filter(case_id=case.pk, clock__code=code, stopped_on__isnull=True)
            .order_by("-started_on", "-id")
            .values_list("due_on", flat=True)
            .first()
        )


def unclocked_cases(cases) -> list[int]:
    """Of ``cases`` (a queryset of ids), the accepted ones no 办理期限 runs for: matters of a kind
    the 办结 clock does not apply to (建议意见类、检举控告类, 第三十四条), or whose clock was
    switched off. The worklist shows them with their follow-up dates."""
    running = CaseDeadline.objects.filter(
        case=OuterRef("pk"), stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE
    )
    return list(
        # The status inside the subquery: the unit's (unit, status) index finds the accepted
        # cases, instead of every visible case being looked up.
        Case.objects.filter(pk__in=cases.filter(status=CaseStatus.ACCEPTED))
        .exclude(Exists(running))
        .order_by("accepted_on", "id")
        .values_list("pk", flat=True)
    )


def stale_counts() -> dict[int, int]:
    """Per clock, the running deadlines on open cases of a kind of matter it no longer applies to
    (the clocks page offers to withdraw them: ``actions.apply_clock_kinds``)."""
    counts: dict[int, int] = {}
    for clock in Clock.objects.all():
        counts[clock.pk] = (
            CaseDeadline.objects.filter(clock=clock, stopped_on__isnull=True)
            .exclude(case__status__in=workflow.FINAL)
            .exclude(case__petition_type__in=clock.petition_type_list)
            .count()
        )
    return counts


@dataclass(frozen=True)
class Pause:
    """The days left out of a deadline's count (第三十六条: 听证), as the case page shows them."""

    periods: tuple[tuple[str, datetime.date, datetime.date], ...]  # (reason, first day, last day)
    days: int  # the days (or workdays) the clock would have counted: its due date moved by these
    unit: str  # 日 or 个工作日


def pause_of(deadline: CaseDeadline, calendar: Calendar | None = None) -> Pause | None:
    if not deadline.pauses:
        return None
    calendar = calendar or official.load()
    paused = paused_days(deadline.pauses)
    result = due_date(deadline.started_on, deadline.length, deadline.day_count, calendar, paused)
    periods = tuple(
        (p.get("reason", ""), datetime.date.fromisoformat(p["from"]), datetime.date.fromisoformat(p["to"]))
        for p in deadline.pauses
    )
    return Pause(periods, result.paused, "个工作日" if deadline.day_count == WORKDAYS else "日")


def clock_terms() -> dict[str, str]:
    """Each clock's code and its length in words, as bureau staff keep it: “15日”, “5个工作日”."""
    return {
        code: f"{length}{'个工作日' if day_count == WORKDAYS else '日'}"
        for code, length, day_count in Clock.objects.values_list("code", "length", "day_count")
    }


def open_deadlines(cases: QuerySet) -> QuerySet:
    """Running clocks of these cases, soonest first (for worklists)."""
    return (
        CaseDeadline.objects.filter(case__in=cases, stopped_on__isnull=True)
        .select_related("clock")
        .order_by("due_on", "id")
    )


def provisional_open_count() -> int:
    return CaseDeadline.objects.filter(stopped_on__isnull=True, provisional=True).count()


# --- The years of the official calendar ----------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    entry: CalendarYear
    holidays: int
    workdays: int


def years_overview() -> list[YearRow]:
    counts: dict[tuple[int, str], int] = {
        (row["y"], row["kind"]): row["n"]
        for row in CalendarDay.objects.annotate(y=ExtractYear("date"))
        .values("y", "kind")
        .annotate(n=Count("id"))
    }
    return [
        YearRow(
            entry, counts.get((entry.year, DayKind.HOLIDAY), 0), counts.get((entry.year, DayKind.WORKDAY), 0)
        )
        for entry in CalendarYear.objects.select_related("entered_by").order_by("-year")
    ]


def year_days(year: int) -> tuple[list[CalendarDay], list[CalendarDay]]:
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    return [d for d in days if d.kind == DayKind.HOLIDAY], [d for d in days if d.kind == DayKind.WORKDAY]


def next_missing_year(today: datetime.date | None = None) -> int:
    """The first year from this one on that has not been entered (the one staff should enter)."""
    today = today or timezone.localdate()
    present = set(CalendarYear.objects.filter(year__gte=today.year).values_list("year", flat=True))
    year = today.year
    while year in present:
        year += 1
    return year
