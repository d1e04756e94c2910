"""What the accounts app reads: lock-outs for the bureau's account pages, second factors for
the system administrator's, and the agents' profiles a citizen may see."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts.models import AgentProfile, CounterScope, LoginCounter, SecondFactor, User

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _Lock(TypedDict):
        locked_until: datetime.datetime | None

    LockedUser = WithAnnotations[User, _Lock]  # with ``locked_until`` (``with_lock``)

# Citizens see the people who can take their complaint: those the capability table lets open a case.
PUBLISHED_FOR = "case_open"


def with_lock(users: QuerySet[User], now: datetime.datetime | None = None) -> QuerySet[LockedUser]:
    """Annotate ``locked_until``: the end of the latest lock-out of the account at any address,
    or None. (A lock-out holds at one address only; bureau staff can lift them all.)"""
    locks = LoginCounter.objects.filter(
        scope=CounterScope.PAIR, username=Lower(OuterRef("username")), locked_until__gt=now or timezone.now()
    ).order_by("-locked_until")
    return users.annotate(locked_until=Subquery(locks.values("locked_until")[:1]))


def locked_until(user: User) -> datetime.datetime | None:
    return with_lock(User.objects.filter(pk=user.pk)).values_list("locked_until", flat=True).first()


def accounts_with_second_factor() -> QuerySet[User]:
    """Every account, with ``second_factor_since`` (None: not set up) and ``recovery_left``."""
    device = SecondFactor.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
    return (
        User.objects.select_related("unit")
        .annotate(
            has_second_factor=Exists(device),
            second_factor_since=Subquery(device.values("confirmed_at")[:1]),
            recovery_left=Count("recovery_codes", filter=Q(recovery_codes__used_at__isnull=True)),
        )
        .order_by("-is_active", "role", "username")
    )


def published_profiles() -> QuerySet[AgentProfile]:
    """The agents a citizen may see (seed 二 2): profiles published by bureau staff, of active
    accounts that may take complaints (``PUBLISHED_FOR``), in an active unit."""
    return (
        AgentProfile.objects.filter(
            rules.holders(PUBLISHED_FOR, prefix="user__"), published=True, user__unit__active=True
        )
        .select_related("user__unit", "photo_file")
        .order_by("user__unit__sort_order", "user__unit_id", "user__full_name", "user_id")
    )
