"""The append-only audit log (网络安全法 第21条: kept at least six months).

Rows are only ever inserted. The model refuses updates and deletes, and database
triggers (see the first migration) refuse them for any other client as well.
Nothing personal is written here: objects are named by type and number, never by
an ID number, a phone or a password.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGIN_LOCKED = "login_locked", "账户锁定"
    LOGOUT = "logout", "退出"
    ACCESS_DENIED = "access_denied", "拒绝访问"
    REVEAL = "reveal", "查看完整信息"
    EXPORT = "export", "导出"
    PRINT = "print", "打印或生成文书"
    DOWNLOAD = "download", "下载文件"
    ACCOUNT = "account", "账户管理"
    POLICY = "policy", "规则与日历变更"
    WIPE = "wipe", "清除敏感信息"
    PUBLICATION = "publication", "发布、更正或撤回通报"


class AppendOnlyError(Exception):
    pass


class AuditEntry(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # No database constraint: an audit row outlives anything it speaks of.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("动作", max_length=20, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField("对象类型", max_length=40, blank=True)
    target_id = models.CharField("对象编号", max_length=40, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    path = models.CharField("地址", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are never deleted")
