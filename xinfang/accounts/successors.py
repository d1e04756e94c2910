"""Who takes over an agent's open cases when the account stops working them.

Deactivating an agent, or moving them to another role or unit, must leave no case without an
agent. The cases are the cases app's, which sits above accounts: when it starts it hands its
count and its handover to ``register`` (``CasesConfig.ready``), so that accounts never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import QuerySet

from xinfang.access import rules
from xinfang.access.models import Reach
from xinfang.accounts.models import User

# Whoever may register cases for a unit may hold them (the capability the case steps declare).
HOLDS_CASES = "case_open"
SPREAD = "spread"  # the form's choice: the unit's other agents take the cases in turn

_count: Callable[..., int] | None = None
_move: Callable[..., int] | None = None


def register(*, count: Callable[..., int], move: Callable[..., int]) -> None:
    """``count(user)``: the open cases the user holds. ``move(user, by=…, to=[…], reason=…)``:
    hand them to the users ``to`` in turn; returns how many moved."""
    global _count, _move
    _count, _move = count, move


def colleagues(user) -> QuerySet[User]:
    """The other users who hold the cases of ``user``'s unit: who may take over."""
    if user is None or user.unit_id is None:
        return User.objects.none()
    holders = rules.holders(HOLDS_CASES, unit=user.unit_id, reach=Reach.UNIT)
    return User.objects.filter(holders, unit_id=user.unit_id).exclude(pk=user.pk).order_by("full_name", "pk")


def open_work(user) -> int:
    return 0 if _count is None or user is None or user.pk is None else _count(user)


def move_work(user, *, by, to: Sequence, reason: str) -> int:
    if _move is None:
        return 0
    return _move(user, by=by, to=list(to), reason=reason)
