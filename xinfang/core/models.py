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


class DataKeyCheck(models.Model):
    """One row per data key that has encrypted data here: a value encrypted under that key.

    Written when a key is adopted (the first key on an empty database, or a new newest key);
    ``xinfang.core.keys.verify_data_key`` refuses to start when a key named here is missing from
    the configured keyring while values still use it, or when a configured key does not open its
    value. Deleted when its key has left the keyring and no value uses it any more."""

    key_id = models.CharField("密钥编号", max_length=8, unique=True)
    canary = models.TextField("校验值")
    adopted_at = models.DateTimeField("启用时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据密钥校验"
        verbose_name_plural = "数据密钥校验"

    def __str__(self) -> str:
        return self.key_id
