"""Writing to the audit log. Every caller names what happened; no personal values go in."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import Http404

from xinfang.audit.models import AuditAction, AuditEntry


def client_ip(request) -> str | None:
    """The client's address; behind a reverse proxy, the header that proxy sets (configured)."""
    if request is None:
        return None
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        # The proxy appends the address it saw last: that is the one it vouches for.
        candidate = request.META[header].split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: AuditAction | str,
    *,
    by=None,
    request=None,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    actor_name: str = "",
    **detail: Any,
) -> AuditEntry:
    if by is None and request is not None and getattr(request, "user", None) is not None:
        by = request.user if request.user.is_authenticated else None
    if target is not None:
        target_type = target_type or target._meta.label
        target_id = target_id or target.pk
    return AuditEntry.objects.create(
        actor=by,
        actor_name=actor_name or (by.get_username() if by is not None else ""),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        ip=client_ip(request),
        path=(request.path[:200] if request is not None else ""),
        detail=detail,
    )


def refuse(request, *, target_type: str, target_id) -> Http404:
    """Log a refused access and return the 404 to raise: what one may not see looks like nothing."""
    record(AuditAction.ACCESS_DENIED, request=request, target_type=target_type, target_id=target_id)
    return Http404("没有找到该页面或事项，或您无权查看。")
