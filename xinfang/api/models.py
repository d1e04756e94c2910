"""API tokens, the addresses each was used from, and the answers kept for retried writes.

A token is shown once, when it is made, and kept only as its SHA-256 (``digest``) with a short
prefix to recognise it by. Each request with it acts as its user, with that user's role and
unit (``xinfang.access``). Its requests are counted per minute in its own row (``window_*``),
so every server process sees the same count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from xinfang.core.fields import EncryptedTextField


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账户", on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("令牌开头", max_length=16)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the whole token, hex
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("最近使用地址", null=True, blank=True)
    # Requests in the current minute (``window_start``): the per-token limit.
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def state(self) -> str:
        """有效 · 已过期 · 已撤销, as the token pages show it."""
        if self.revoked_at is not None:
            return "已撤销"
        return "已过期" if self.expires_at <= timezone.now() else "有效"


class TokenAddress(models.Model):
    """An address a token was used from: the first use from a new one is written to the audit log."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="addresses")
    ip = models.GenericIPAddressField("网络地址", null=True, blank=True)
    first_seen = models.DateTimeField("首次使用", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "ip"], name="token_address_once")]
        verbose_name = "令牌使用地址"
        verbose_name_plural = "令牌使用地址"

    def __str__(self) -> str:
        return f"{self.token_id} {self.ip}"


class IdempotentAnswer(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key``: a repeat of the same request
    gets it again instead of doing the work twice. ``status`` 0 while the first is in progress.
    The body may name people: encrypted."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and the parsed body
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=60, blank=True)
    body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.key}"
