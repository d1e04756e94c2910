"""``may`` in every template: ``{% if may.export_ledger %}`` asks the capability table."""

from __future__ import annotations

from xinfang.access import policy
from xinfang.access.models import Reach
from xinfang.access.rules import can, reach


class May:
    def __init__(self, user):
        self.user = user
        self._answers: dict[str, bool] = {}

    def __getitem__(self, code: str) -> bool:
        if code not in policy.CAPABILITIES:
            raise KeyError(code)  # a test checks that templates name only codes of the table
        if code not in self._answers:
            self._answers[code] = can(self.user, code)
        return self._answers[code]


class County(May):
    """``county.view_cases``: the user does this for every unit (the bureau's wording of a page)."""

    def __getitem__(self, code: str) -> bool:
        if code not in policy.CAPABILITIES:
            raise KeyError(code)
        if code not in self._answers:  # asked once per row of a list: answered once per page
            self._answers[code] = reach(self.user, code) == Reach.COUNTY
        return self._answers[code]


def may(request) -> dict:
    user = getattr(request, "user", None)
    return {"may": May(user), "county": County(user)}
