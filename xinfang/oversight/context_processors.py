"""The banner of unacknowledged urgent risk reports, on every page of those who handle them
(``handle_reports``: bureau staff).

Lazy: the one query runs only when a page renders the banner (base.html), not for partials.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from xinfang.access import rules
from xinfang.oversight.selectors import BANNER_MAX, urgent_unacknowledged


def urgent_reports(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not rules.can(user, "handle_reports"):
        return {}
    found = SimpleLazyObject(lambda: urgent_unacknowledged(BANNER_MAX))
    return {
        "urgent_reports": SimpleLazyObject(lambda: found[:BANNER_MAX]),
        "urgent_reports_more": SimpleLazyObject(lambda: len(found) > BANNER_MAX),
    }
