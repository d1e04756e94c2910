"""Risk reports with their history, and inspections of units. See the package docstring."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.core.fields import EncryptedTextField, KeyedHashField, normalize_name, with_keyed_hashes


class ReportKind(models.TextChoices):
    ESCALATION = "escalation", "越级上访倾向"
    EXTREME = "extreme", "扬言过激行为"
    COLLECTIVE = "collective", "集体访苗头"
    REPEATED = "repeated", "重复信访"
    TREND = "trend", "其他信访动态"


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"


class ReportStatus(models.TextChoices):
    """Derived from the acknowledgement and disposal facts; never stored."""

    NEW = "new", "待签收"
    ACKNOWLEDGED = "acknowledged", "已签收待处置"
    DISPOSED = "disposed", "已处置"


class RiskReport(models.Model):
    """An agent's report to the bureau (seed 二 3: 及时向县信访局报告; 收集报送信访动态信息)."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name="报告单位", on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=20, choices=ReportKind.choices)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    happened_on = models.DateField("发生日期")
    # What happened: names, places and threats of real people, so encrypted at rest.
    description = EncryptedTextField("情况")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="相关事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A person's name is personal data: encrypted, found by its keyed hash (the whole name).
    petitioner_name = EncryptedTextField("信访人", blank=True)
    petitioner_name_hash = KeyedHashField(
        source="petitioner_name", purpose="name", normalize=normalize_name, db_index=True, blank=True
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    disposal = EncryptedTextField("处置情况", blank=True)
    disposed_at = models.DateTimeField("处置登记时间", null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处置登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("报告时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "created_at"]),
            models.Index(fields=["urgency", "acknowledged_at"]),
        ]
        verbose_name = "风险报告"
        verbose_name_plural = "风险报告"

    def __str__(self) -> str:
        return f"风险报告{self.pk}"

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = with_keyed_hashes(RiskReport, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.disposed_at is not None:
            return ReportStatus.DISPOSED
        if self.acknowledged_at is not None:
            return ReportStatus.ACKNOWLEDGED
        return ReportStatus.NEW

    def get_status_display(self) -> str:
        return ReportStatus(self.status).label


class ReportEvent(models.Model):
    """One step in a report's history. Append-only; no personal values in ``data``."""

    report = models.ForeignKey(RiskReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "风险报告记录"
        verbose_name_plural = "风险报告记录"

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("report events are never changed")
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)


EVENT_LABELS = {"file": "报送", "acknowledge": "签收", "dispose": "登记处置情况"}


class Finding(models.TextChoices):
    """What an inspection may find (seed 四: the four prohibitions and 不按规定代理)."""

    FORCED = "forced", "强行代理"
    FEES = "fees", "收取费用"
    DISTORTION = "distortion", "歪曲信访人意愿"
    ILLEGAL_SPEECH = "illegal_speech", "散布非法言论"
    IRREGULAR = "irregular", "未按规定代理"
    OTHER = "other", "其他"


class Inspection(models.Model):
    """One inspection (督察) of a unit's proxy work by the bureau (seed 四)."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name="被督察单位", on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField("督察日期", db_index=True)
    inspectors = models.CharField("督察人员", max_length=200)
    # Codes of ``Finding``; empty exactly when ``no_problems`` (the action enforces it).
    findings = models.JSONField("发现问题", default=list, blank=True)
    findings_note = models.TextField("问题说明", blank=True)
    no_problems = models.BooleanField("未发现问题", default=False)
    rectification = models.TextField("整改要求", blank=True)
    rectify_by = models.DateField("整改期限", null=True, blank=True, db_index=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    rectified_note = models.TextField("整改情况", blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="整改登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["unit", "inspected_on"])]
        verbose_name = "督察记录"
        verbose_name_plural = "督察记录"

    def __str__(self) -> str:
        return f"{self.inspected_on} 督察"

    @property
    def finding_labels(self) -> list[str]:
        labels = dict(Finding.choices)
        return [labels.get(code, code) for code in self.findings]

    @property
    def needs_rectification(self) -> bool:
        return not self.no_problems and self.rectified_on is None
