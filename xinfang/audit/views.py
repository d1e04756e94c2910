from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from xinfang.accounts.models import Role
from xinfang.accounts.permissions import role_required
from xinfang.audit.models import AuditAction
from xinfang.audit.selectors import audit_entries


@role_required(Role.AUDITOR)
def audit_log(request):
    action = request.GET.get("action", "")
    if action not in AuditAction.values:
        action = ""
    actor = request.GET.get("actor", "").replace("\x00", "").strip()[:150]
    entries = audit_entries(action=action, actor=actor).select_related(None)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "action": action,
            "actor": actor,
            "query": query.urlencode(),
            "nav": "audit",
        },
    )
