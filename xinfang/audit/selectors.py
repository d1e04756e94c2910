from __future__ import annotations

from django.db.models import QuerySet

from xinfang.audit.models import AuditEntry


def audit_entries(*, action: str = "", actor: str = "", day=None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if day:
        entries = entries.filter(at__date=day)
    return entries
