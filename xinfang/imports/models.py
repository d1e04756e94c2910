"""Bringing in a unit's Excel 台账 kept before the platform: the uploaded file waiting for its
dry run to be confirmed, and each unit's saved correspondence of its headers to the columns.

Glossary: 导入 import · 试导入（检查） dry run · 对应关系 column mapping · 批次 batch.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.core.fields import EncryptedTextField


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "待确认"
    DONE = "done", "已导入"
    CANCELLED = "cancelled", "已取消"


class ImportBatch(models.Model):
    """One uploaded workbook for one unit. The file is kept encrypted (``core.files``) while the
    batch waits, and discarded once it is imported or cancelled: the cases then hold what it said."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="上传人"
    )
    file = models.ForeignKey(
        "core.StoredFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = EncryptedTextField("文件名")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    status = models.CharField("状态", max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rows = models.PositiveIntegerField("读取行数", default=0)
    created = models.PositiveIntegerField("新建事项", default=0)
    skipped = models.PositiveIntegerField("跳过", default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.created_at:%Y-%m-%d}"


class ColumnMapping(models.Model):
    """A unit's headers and the columns they mean, as corrected on the mapping step and saved:
    ``{header key: column code}`` (``columns.header_key``; "" leaves the column out). Headers
    not in it are matched by the column table's names."""

    unit = models.OneToOneField("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField("对应关系", default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "表头对应关系"
        verbose_name_plural = "表头对应关系"

    def __str__(self) -> str:
        return str(self.unit_id)
