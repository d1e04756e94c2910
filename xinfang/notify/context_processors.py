"""The unread-notice count shown in every page's header: one COUNT query, nothing for visitors."""

from __future__ import annotations

from xinfang.notify.selectors import unread_count


def notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": unread_count(user)}
