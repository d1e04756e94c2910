"""What changes notices: telling people about a case, and marking notices read."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from xinfang.notify.models import Notice, ReminderLevel
from xinfang.notify.senders import get_sender

if TYPE_CHECKING:
    from xinfang.accounts.models import User

logger = logging.getLogger("xinfang.notify")

TEXT_MAX = Notice._meta.get_field("text").max_length
SUBJECTS: dict[str, str] = {
    ReminderLevel.DUE_SOON: "期限即将届满",
    ReminderLevel.OVERDUE: "期限已超期",
    ReminderLevel.FOLLOW_UP: "跟踪督办提醒",
}


def notify(*, recipients: Iterable, case, level: str, text: str, send: bool = True) -> list[Notice]:
    """One in-app notice per recipient; and, once the transaction commits, one message each.

    ``text`` must name the case by its number and carry no personal data: it is stored as is
    and sent by whatever sender is configured. Recipients are de-duplicated (an agent who is
    also among the bureau staff gets one notice).
    """
    unique: dict[int, User] = {}
    for user in recipients:
        unique.setdefault(user.pk, user)
    text = text[:TEXT_MAX]
    notices = Notice.objects.bulk_create(
        [Notice(recipient=user, case=case, level=level, text=text) for user in unique.values()]
    )
    if send and unique:
        number = getattr(case, "number", "") if case is not None else ""
        subject = f"{SUBJECTS.get(level, '提醒')} {number}".strip()
        sender = get_sender()
        for user in unique.values():
            # robust: a failing gateway is logged and does not stop the other messages.
            transaction.on_commit(
                partial(sender.send, recipient=user, subject=subject, body=text), robust=True
            )
    return notices


def mark_read(*, user, notice_ids: Sequence[int] | None = None) -> int:
    """Mark the user's unread notices read (all of them, or those listed); how many changed.

    Only the user's own notices are touched: an id of someone else's notice changes nothing.
    """
    notices = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=list(notice_ids))
    return notices.update(read_at=timezone.now())
