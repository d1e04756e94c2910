"""Each unit's monthly target (代理目标), the county's targets for a share (网上投诉占比 ≥ 50%),
and the channel tallies (渠道台账) for the online share."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

DEFAULT_MONTHLY_TARGET = 1  # seed 二: 每月代理网上投诉不低于1件


class UnitTarget(models.Model):
    """A unit's monthly target from ``effective_from`` (a first of month) until the next row.

    Rows are never changed: a new target is a new row, so past months keep the target they had.
    """

    unit = models.ForeignKey("accounts.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    monthly_target = models.PositiveSmallIntegerField("每月代理目标（件）", validators=[MinValueValidator(1)])
    effective_from = models.DateField("起始月份")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设定人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("设定时间", auto_now_add=True)

    class Meta:
        ordering = ["unit__sort_order", "unit_id", "-effective_from", "-id"]
        indexes = [models.Index(fields=["unit", "effective_from"])]
        # The first of month is checked by the action: a date function in a CHECK differs per database.
        constraints = [
            models.CheckConstraint(condition=Q(monthly_target__gte=1), name="unit_target_at_least_one"),
        ]
        verbose_name = "每月代理目标"
        verbose_name_plural = "每月代理目标"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.effective_from:%Y-%m} {self.monthly_target}"


class CountyFigure(models.TextChoices):
    """A figure of the whole county that has a target of its own (a share, in per cent)."""

    ONLINE_SHARE = "online_share", "网上投诉占比"


# The seed's target, as the data migration enters it (figures.0002): 通知 二 「2017年阶段性目标：
# 全县网上投诉数占信访总量的50%」. Bureau staff change it on the targets page.
SEED_COUNTY_TARGETS = (
    (
        CountyFigure.ONLINE_SHARE,
        50,
        "2017-01-01",
        "县政府办通知 二：2017年阶段性目标：全县网上投诉数占信访总量的50%",
    ),
)


class CountyTarget(models.Model):
    """A county-wide target for one figure, in per cent, from ``effective_from`` (a first of
    month) until the next row of the same figure. A period is judged (达标 / 未达标) against the
    row in force in its last month.

    Rows are never changed, as unit targets: a new target is a new row. ``set_by`` is empty for
    the row the data migration entered from the seed.
    """

    figure = models.CharField("指标", max_length=20, choices=CountyFigure.choices)
    percent = models.PositiveSmallIntegerField(
        "目标（%）", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    effective_from = models.DateField("起始月份")
    basis = models.CharField("依据", max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("设定时间", auto_now_add=True)

    class Meta:
        ordering = ["figure", "-effective_from", "-id"]
        indexes = [models.Index(fields=["figure", "effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1) & Q(percent__lte=100), name="county_target_percent"
            ),
        ]
        verbose_name = "全县目标"
        verbose_name_plural = "全县目标"

    def __str__(self) -> str:
        return f"{self.figure} {self.effective_from:%Y-%m} {self.percent}%"


class Channel(models.TextChoices):
    """Channels of petitions that never enter this platform (信访总量 by 渠道)."""

    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    ONLINE_SELF = "online_self", "网上自投"
    PHONE = "phone", "电话"
    OTHER = "other", "其他"


# Online complaints besides the proxied ones: the numerator of 网上投诉占比.
ONLINE_CHANNELS = (Channel.ONLINE_SELF,)


class ChannelTally(models.Model):
    """How many petitions of one channel a unit received in one month, entered by bureau staff."""

    unit = models.ForeignKey("accounts.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    count = models.PositiveIntegerField("件数")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-month", "unit__sort_order", "unit_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "channel"], name="channel_tally_unique"),
        ]
        indexes = [models.Index(fields=["month", "unit"])]
        verbose_name = "渠道台账"
        verbose_name_plural = "渠道台账"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.channel} {self.count}"


class MonthMark(models.Model):
    """How many times the facts of one unit's month have changed: written by the database itself
    (triggers of migration 0003 on cases, ratings and deadlines), whatever wrote the row, so that
    the counts kept for a closed month (``MonthCounts``) are known to be current or not."""

    unit_id = models.BigIntegerField("单位")
    month = models.DateField("月份")
    version = models.BigIntegerField("变更次数", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_id", "month"], name="month_mark_unique")]
        verbose_name = "月度数据变更标记"
        verbose_name_plural = "月度数据变更标记"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.version}"


class MonthCounts(models.Model):
    """One unit's counts of one closed month (``figures.stored``), as computed when its
    ``MonthMark`` had ``version``: current while the mark still has it."""

    unit_id = models.BigIntegerField("单位")
    month = models.DateField("月份")
    version = models.BigIntegerField("计算时的变更次数")
    counts = models.JSONField("件数")
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_id", "month"], name="month_counts_unique")]
        verbose_name = "已结束月份的件数"
        verbose_name_plural = "已结束月份的件数"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.version}"
