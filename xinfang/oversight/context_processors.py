"""The banner of unacknowledged urgent risk reports, on every page bureau staff see.

Lazy: the one query runs only when a page renders the banner (base.html), not for partials.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from xinfang.accounts.models import Role
from xinfang.oversight.selectors import BANNER_MAX, urgent_unacknowledged


def urgent_reports(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != Role.BUREAU:
        return {}
    found = SimpleLazyObject(lambda: urgent_unacknowledged(BANNER_MAX))
    return {
        "urgent_reports": SimpleLazyObject(lambda: found[:BANNER_MAX]),
        "urgent_reports_more": SimpleLazyObject(lambda: len(found) > BANNER_MAX),
    }
