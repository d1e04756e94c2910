"""Tries at the public progress lookup, and the units' publicity work (宣传记录)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class LookupAttempt(models.Model):
    """One try at /public/track/. Neither the 查询码 nor the digits are kept: only a keyed hash
    of the code, so that tries at one code can be counted from any address.

    Rows are short-lived (see ``actions.KEEP_ATTEMPTS``): the audit log keeps the lasting record.
    """

    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    success = models.BooleanField("成功", default=False)
    # Refused because of earlier failures, without checking the code: not counted as a failure,
    # so that the time we tell the citizen to come back stays true.
    throttled = models.BooleanField("因次数过多被拒绝", default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["code_hash", "at"])]
        verbose_name = "查询尝试"
        verbose_name_plural = "查询尝试"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'成功' if self.success else '失败'}"


class PublicityKind(models.TextChoices):
    CARD = "card", "联系卡"
    FLYER = "flyer", "宣传页"
    DEMO = "demo", "现场演示"
    OTHER = "other", "其他"


class PublicityEvent(models.Model):
    """One piece of publicity work (seed 附件 二(一) 宣传引导; 三 一 发放联系卡、宣传页)."""

    unit = models.ForeignKey("accounts.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期", db_index=True)
    place = models.CharField("地点", max_length=100)
    kind = models.CharField("形式", max_length=10, choices=PublicityKind.choices)
    people_reached = models.PositiveIntegerField("覆盖人数", validators=[MinValueValidator(1)])
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["unit", "on"])]
        verbose_name = "宣传记录"
        verbose_name_plural = "宣传记录"

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()} {self.place}"
