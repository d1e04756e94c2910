"""The monthly bulletin (通报, seed 一: the leading group's office 统计、汇总、通报).

A published bulletin freezes its month: ``figures`` holds what ``xinfang.figures.selectors``
said at publication, and the dashboard shows those numbers for that month from then on, with
any later change listed beside them. The document itself is kept as a stored file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

DEFAULT_PREFIX = "镇网代"


class Bulletin(models.Model):
    month = models.DateField("月份", unique=True, help_text="该月第一天")
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

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="bulletin_year_sequence")]
        verbose_name = "通报"
        verbose_name_plural = "通报"

    def __str__(self) -> str:
        return self.issue_number

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"
