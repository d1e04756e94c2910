"""Who takes over an agent's open cases when the account stops working them.

Deactivating an agent, or moving them to another role or unit, must leave no case without an
agent. The cases are the cases app's, which sits above accounts: when it starts it hands its
count and its handover to ``register`` (``CasesConfig.ready``), so that accounts never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def open_work(user) -> int:
    return 0 if _count is None or user is None or user.pk is None else _count(user)


def move_work(user, *, by, to: Sequence, reason: str) -> int:
    if _move is None:
        return 0
    return _move(user, by=by, to=list(to), reason=reason)
