"""The questions every view, selector, template and action asks, answered from ``policy``.

- ``reach(user, code)``: ``Reach.UNIT``, ``Reach.COUNTY`` or None.
- ``can(user, code, unit=…)``: may the user do this (to that unit's data)?
- ``check(by, code, unit=…)``: the same, for actions: raises ``Refused`` and has the refusal
  written to the audit log (``refused`` signal, which the audit log listens to).
- ``scoped(queryset, user, code)``: the rows the user may see, by their unit.
- ``get_or_refuse(queryset, user, code, pk)``: one row, or a logged refusal that looks like a 404.
- ``refuse(user, code, target_type=, target_id=)``: a logged refusal for what no lookup decides.

A user who is not logged in, not active, or whose role is tied to a unit but has none, may do
nothing. What a user may not see looks like nothing at all: refusals become 404 pages.

``holders(code)`` and ``users_who_may(code)`` ask the same of every user at once (whom to tell
of a risk report, whom the public directory lists).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.dispatch import Signal

from xinfang.access.models import Reach
from xinfang.access.policy import MACHINE_ROLES, PROFILE_ROLES, SECOND_FACTOR_ROLES, UNIT_ROLES, capability
from xinfang.core.errors import DomainError

NOT_FOUND = "没有找到该页面或事项，或您无权查看。"

# Sent on every refusal, before the exception is raised (and outside any transaction the action
# would open): the audit log writes one row per refusal. Arguments: user, code, target_type,
# target_id, request (may be None).
refused = Signal()


class Refused(DomainError):
    """The acting user may not do this. The message is deliberately the same as for a missing
    object: a refusal must not tell whether the object exists."""

    def __init__(self, message: str = NOT_FOUND, *, code: str = "", field: str | None = None):
        super().__init__(message, field)
        self.code = code


def refuse(user, code: str, *, target_type: str, target_id: Any, request=None) -> Refused:
    """Have a refusal logged (the ``refused`` signal) and return the ``Refused`` to raise: for a
    refusal that no table lookup makes, e.g. a field that may not be revealed, or a form that
    carries the token of someone else's case."""
    refused.send(
        sender=Refused,
        user=user,
        code=code,
        target_type=target_type,
        target_id=str(target_id)[:40],
        request=request,
    )
    return Refused(code=code)


def _unit_id(unit: Any) -> int | None:
    if unit is None or isinstance(unit, int):
        return unit
    return unit.pk


def reach(user, code: str) -> str | None:
    """How far ``user`` may do ``code``: the own unit, the county, or not at all."""
    granted = capability(code).reach_of(getattr(user, "role", ""))
    if granted is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role in UNIT_ROLES and not user.unit_id:
        return None  # an account of a unit role without its unit reaches nothing
    if granted == Reach.UNIT and not user.unit_id:
        return None
    return granted


def can(user, code: str, unit: Any = None, *, any_unit: bool = False) -> bool:
    """May ``user`` do ``code``? With ``unit`` (a Unit or its id): to that unit's data. Without
    it: the capability at all (for menus and buttons). ``any_unit`` is the same as leaving
    ``unit`` out, said explicitly where a unit could be expected."""
    granted = reach(user, code)
    if granted is None:
        return False
    unit_id = _unit_id(unit)
    if unit_id is None or any_unit:
        return True
    return granted == Reach.COUNTY or unit_id == user.unit_id


def check(
    by,
    code: str,
    *,
    unit: Any = None,
    target: Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    request=None,
) -> None:
    """Raise ``Refused`` unless ``by`` may do ``code`` (to ``unit``'s data, or ``target``'s unit).

    Called by every action before it opens its transaction, so that a refusal changes nothing
    and its audit row is not rolled back with the action.
    """
    if unit is None and target is not None:
        unit = getattr(target, "unit_id", None)
    if can(by, code, unit):
        return
    if target is not None:
        target_type = target_type or target._meta.label
        target_id = target_id or target.pk
    raise refuse(
        by, code, target_type=target_type or "capability", target_id=target_id or code, request=request
    )


def visible_unit_ids(user, code: str) -> set[int] | None:
    """The units whose data ``user`` may see for ``code``: None for every unit (county reach),
    an empty set for none."""
    granted = reach(user, code)
    if granted is None:
        return set()
    if granted == Reach.COUNTY:
        return None
    return {user.unit_id}


def scoped(queryset: QuerySet, user, code: str, *, unit_field: str | None = "unit") -> QuerySet:
    """The rows of ``queryset`` whose unit (``unit_field``) ``user`` may see for ``code``.
    ``unit_field`` None: rows of no unit (a bulletin), which only a county-wide grant reaches."""
    units = visible_unit_ids(user, code)
    if units is None:
        return queryset
    if not units or unit_field is None:
        return queryset.none()
    return queryset.filter(**{f"{unit_field}_id__in": units})


def scoped_units(queryset: QuerySet, user, code: str) -> QuerySet:
    """Of a queryset of units, those ``user`` may see for ``code``."""
    units = visible_unit_ids(user, code)
    if units is None:
        return queryset
    return queryset.filter(pk__in=units)


def get_or_refuse(
    queryset: QuerySet, user, code: str, pk: Any, *, unit_field: str | None = "unit", request=None
) -> Any:
    """One row the user may see, or ``Refused`` (a 404 page, and an audit row)."""
    try:
        return scoped(queryset, user, code, unit_field=unit_field).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise refuse(
            user, code, target_type=queryset.model._meta.label, target_id=pk, request=request
        ) from None


def codes_for(user, codes: Iterable[str]) -> dict[str, bool]:
    return {code: can(user, code) for code in codes}


# --- Who holds a capability: the same answer, asked of the users instead of one user -----------------


def holders(code: str, *, unit: Any = None, reach: str | None = None, prefix: str = "") -> Q:
    """A filter on users (through ``prefix``, e.g. ``"user__"``) whom the table grants ``code``,
    as ``can`` answers it for each: active, and with a unit where the role needs one. With
    ``unit``: those whose grant reaches that unit's data. With ``reach``: only grants that far
    (``Reach.COUNTY``: those who do it for every unit). Machine accounts (``MACHINE_ROLES``)
    are no one to tell or to list: never holders."""
    grants = capability(code).grants
    county = [role for role, granted in grants.items() if granted == Reach.COUNTY and reach != Reach.UNIT]
    local = [role for role, granted in grants.items() if granted == Reach.UNIT and reach != Reach.COUNTY]
    unit_id = _unit_id(unit)
    county_q = Q(**{f"{prefix}role__in": county}) & ~Q(
        **{f"{prefix}role__in": UNIT_ROLES, f"{prefix}unit__isnull": True}
    )
    if unit_id is None:
        local_q = Q(**{f"{prefix}role__in": local, f"{prefix}unit__isnull": False})
    else:
        local_q = Q(**{f"{prefix}role__in": local, f"{prefix}unit_id": unit_id})
    people = ~Q(**{f"{prefix}role__in": MACHINE_ROLES})
    return Q(**{f"{prefix}is_active": True}) & people & (county_q | local_q)


def users_who_may(code: str, *, unit: Any = None, reach: str | None = None) -> QuerySet:
    """The active users the table grants ``code`` (see ``holders``): whom to tell, whom to list."""
    return get_user_model().objects.filter(holders(code, unit=unit, reach=reach))


def must_use_second_factor(user) -> bool:
    """Whether ``user`` logs in with a dynamic code (动态口令): always for the roles of
    ``policy.SECOND_FACTOR_ROLES``; agents and unit heads where their unit requires it."""
    if user.role in SECOND_FACTOR_ROLES:
        return True
    return user.role in UNIT_ROLES and user.unit is not None and user.unit.second_factor_required


def is_machine(user) -> bool:
    """Whether the account is another system's (``policy.MACHINE_ROLES``): it reads through the
    API with a token bureau staff made, and never logs in to a page."""
    return getattr(user, "role", "") in MACHINE_ROLES


def has_public_profile(user) -> bool:
    """Whether the account carries an agent's public profile (``policy.PROFILE_ROLES``)."""
    return user.role in PROFILE_ROLES
