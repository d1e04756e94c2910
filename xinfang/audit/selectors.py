from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from xinfang.audit.integrity import Anchor
from xinfang.audit.models import AuditAction, AuditAnchor, AuditEntry


def audit_entries(*, action: str = "", actor: str = "", start=None, end=None) -> QuerySet[AuditEntry]:
    """The rows of the log, newest first: of one kind of action, by accounts whose name contains
    ``actor``, from ``start`` to ``end`` (days, both included, in local time)."""
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if start:
        entries = entries.filter(at__gte=_midnight(start))
    if end:
        entries = entries.filter(at__lt=_midnight(end + datetime.timedelta(days=1)))
    return entries


def _midnight(day: datetime.date) -> datetime.datetime:
    """The day's first moment where the county is (an index on ``at`` answers the range)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def head() -> AuditEntry | None:
    """The last row of the chain (what an anchor writes down)."""
    return AuditEntry.objects.order_by("-seq").only("seq", "hash", "at").first()


def last_verification() -> AuditEntry | None:
    return AuditEntry.objects.filter(action=AuditAction.VERIFY).order_by("-seq").first()


def last_full_head() -> Anchor | None:
    """The head at the last full verification that found nothing: where a check of the rows
    written since may start."""
    entries = AuditEntry.objects.filter(action=AuditAction.VERIFY, detail__scope="full", detail__result="ok")
    for detail in entries.order_by("-seq").values_list("detail", flat=True)[:1]:
        if int(detail["head_seq"]) > 0:
            return Anchor(int(detail["head_seq"]), str(detail["head_hash"]), "上次完整核验")
    return None


def latest_anchors(limit: int = 5) -> list[AuditAnchor]:
    return list(AuditAnchor.objects.order_by("-id")[:limit])
