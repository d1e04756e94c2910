"""Private files: scans and attachments, kept outside static files, encrypted, under random names."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.core.fields import EncryptedTextField


class StoredFile(models.Model):
    storage_name = models.CharField(max_length=80, unique=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField(max_length=100)
    original_name = EncryptedTextField("原文件名")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "文件"
        verbose_name_plural = "文件"

    def __str__(self) -> str:
        return self.original_name
