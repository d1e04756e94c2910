"""The monthly bulletin (通报, seed 一: the leading group's office 统计、汇总、通报).

A published bulletin freezes its month: ``figures`` holds what ``xinfang.figures.selectors``
said at publication, and the dashboard shows those numbers for that month from then on, with
any later change listed on request. The document itself is kept as a stored file.

A bulletin is never deleted or edited. A wrong one is withdrawn (撤回, with the reason), which
unfreezes its month, or corrected (更正): a new bulletin with the next issue number replaces it
and freezes the month anew, in one step. At most one bulletin per month is in force.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

DEFAULT_PREFIX = "镇网代"


class Bulletin(models.Model):
    month = models.DateField("月份", help_text="该月第一天")
    year = models.PositiveIntegerField("发文年度")
    sequence = models.PositiveIntegerField("年度序号")
    prefix = models.CharField("发文机关代字", max_length=20, default=DEFAULT_PREFIX)
    issue_number = models.CharField("文号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=120)
    summary = models.TextField("总体情况说明", blank=True)
    # Counts, numerators, denominators, targets and met flags per unit and for the county,
    # risk report counts and inspection findings: see ``selectors.snapshot``. No personal data.
    figures = models.JSONField("发布时的数字")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "core.StoredFile", verbose_name="通报文件", on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name="更正的通报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField("撤回或更正原因", blank=True)

    class Meta:
        ordering = ["-month", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="bulletin_year_sequence"),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="bulletin_one_in_force_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="bulletin_withdrawn_with_who",
            ),
        ]
        verbose_name = "通报"
        verbose_name_plural = "通报"

    def __str__(self) -> str:
        return self.issue_number

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"
