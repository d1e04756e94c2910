"""The append-only audit log (网络安全法 第21条: kept at least six months).

Rows are only ever inserted. The model refuses updates and deletes, and database
triggers (migrations 0002 and 0006) refuse them, and TRUNCATE on PostgreSQL, for any
other client as well. Each row carries a hash chained to the one before (``chain.py``), so
what a database owner or someone with the SQLite file changes anyway shows up in
``xinfang audit verify``; anchors (the head's seq and hash, kept by the auditor outside the
server) show a cut-off tail or a rewritten history.
Nothing personal is written here: objects are named by type and number, never by
an ID number, a phone or a password.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from xinfang.audit import chain


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
    VERIFY = "verify", "核验审计日志"
    ANCHOR = "anchor", "记录审计锚点"
    BACKUP = "backup", "备份或恢复"
    DATA_KEY = "data_key", "数据密钥轮换"
    IMPORT = "import", "导入台账"


class AppendOnlyError(Exception):
    pass


class AppendOnly(models.Model):
    """Rows are inserted, never changed or deleted (the database's triggers say so too)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.label} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are never deleted")


def _user(verbose_name: str) -> models.ForeignKey:
    # No database constraint: an audit row outlives anything it speaks of.
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class AuditEntry(AppendOnly):
    # Set by ``record`` before the hash is computed (``auto_now_add`` would set it too late).
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    actor = _user("操作人")
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("动作", max_length=20, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField("对象类型", max_length=40, blank=True)
    target_id = models.CharField("对象编号", max_length=40, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    path = models.CharField("地址", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    # The chain: 1, 2, 3… without gaps in the order rows were committed.
    seq = models.BigIntegerField("序号", unique=True, editable=False)
    prev_hash = models.CharField("前一条哈希", max_length=64, editable=False)
    hash = models.CharField("哈希", max_length=64, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def compute_hash(self) -> str:
        return chain.digest(*(getattr(self, name) for name in chain.FIELDS))


class AuditAnchor(AppendOnly):
    """The head of the chain at one moment, as the auditor also keeps it outside the server.

    A later ``verify`` checks that row ``seq`` still has ``hash``: a cut-off tail or a
    history rewritten from an earlier row fails. The copy here is for the auditor's page;
    the copy that counts is the one kept away from this database.
    """

    seq = models.BigIntegerField("序号")
    hash = models.CharField("哈希", max_length=64)
    head_at = models.DateTimeField("该条记录时间")
    created_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)
    created_by = _user("记录人")
    created_by_name = models.CharField("记录人账号", max_length=150, blank=True)

    class Meta:
        ordering = ["-seq", "-id"]
        verbose_name = "审计锚点"
        verbose_name_plural = "审计锚点"

    def __str__(self) -> str:
        return f"第{self.seq}条 {self.hash}"
