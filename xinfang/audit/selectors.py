from __future__ import annotations

from django.db.models import QuerySet

from xinfang.audit.integrity import Anchor
from xinfang.audit.models import AuditAction, AuditAnchor, AuditEntry


def audit_entries(*, action: str = "", actor: str = "", day=None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if day:
        entries = entries.filter(at__date=day)
    return entries


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
