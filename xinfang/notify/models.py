"""In-app notices, reminders created once per clock and level, and the outbox of messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """A message shown in the application to one user until read."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    level = models.CharField("级别", max_length=10, default="info")
    text = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = "站内提醒"
        verbose_name_plural = "站内提醒"

    def __str__(self) -> str:
        return self.text


class ReminderLevel(models.TextChoices):
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已超期"
    FOLLOW_UP = "follow_up", "今日跟踪"


class Reminder(models.Model):
    """That a reminder was made, so that ``xinfang remind`` makes each one once."""

    key = models.CharField(max_length=80, unique=True)  # e.g. "deadline:12:overdue", "followup:5"
    level = models.CharField(max_length=12, choices=ReminderLevel.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"

    def __str__(self) -> str:
        return self.key


class OutboxMessage(models.Model):
    """What the default sender 'sends': kept here for staff to read; no SMS gateway needed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField("渠道", max_length=20, default="outbox")
    subject = models.CharField("标题", max_length=120)
    body = models.TextField("内容")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "发件箱"
        verbose_name_plural = "发件箱"

    def __str__(self) -> str:
        return self.subject
