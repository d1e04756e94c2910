"""What the notify app reads: a user's notices, the outbox, and what the reminder run looks at.

Queries load only the columns they need: a case row carries encrypted personal data, and
the reminder run must neither decrypt nor hold it.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

from xinfang.access import rules
from xinfang.access.models import Reach
from xinfang.accounts.models import User
from xinfang.accounts.successors import HOLDS_CASES
from xinfang.cases.models import Case, CaseStatus, FollowUp
from xinfang.cases.workflow import FINAL
from xinfang.deadlines.models import CaseDeadline, ClockKind
from xinfang.notify.models import Notice, OutboxMessage, Reminder

KEY_CHUNK = 500  # stays well below every database's limit on bound parameters
# Who is reminded of a unit's clocks and follow-ups: those the capability table lets work that
# unit's cases (its agents); overdue clocks also go to those who supervise every unit's cases.
WORKS_CASES = HOLDS_CASES
SUPERVISES = "view_cases"


def notices_for(user) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(recipient=user)
        .select_related("case")
        .only("id", "level", "text", "created_at", "read_at", "case__id", "case__number")
    )


def unread_count(user) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def outbox_messages() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.select_related("recipient").only(
        "id",
        "channel",
        "subject",
        "body",
        "created_at",
        "sent_at",
        "recipient__id",
        "recipient__username",
        "recipient__full_name",
    )


def existing_keys(keys: list[str]) -> set[str]:
    """Which of these reminder keys were already made (a query per 500 keys)."""
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        found.update(
            Reminder.objects.filter(key__in=keys[start : start + KEY_CHUNK]).values_list("key", flat=True)
        )
    return found


def open_deadlines_due_by(day: datetime.date) -> QuerySet[CaseDeadline]:
    """Open 'deadline' clocks (not application windows) of live cases, due on or before ``day``."""
    return (
        CaseDeadline.objects.filter(stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE, due_on__lte=day)
        .exclude(case__status__in=FINAL)
        .select_related("case__agent", "clock")
        .only(
            "id",
            "due_on",
            "provisional",
            "case__id",
            "case__number",
            "case__status",
            "case__unit_id",
            "case__agent__id",
            "case__agent__username",
            "case__agent__is_active",
            "case__agent__unit_id",
            "case__agent__role",
            "clock__id",
            "clock__code",
            "clock__name",
        )
        .order_by("due_on", "id")
    )


def pending_follow_ups(today: datetime.date) -> QuerySet[FollowUp]:
    """The latest follow-up of each live case whose planned next follow-up is today or past.

    A later follow-up of the same case replaces the earlier plan, so only the latest counts;
    a plan dated on or before its own follow-up is not a plan.
    """
    later = FollowUp.objects.filter(case=OuterRef("case")).filter(
        Q(on__gt=OuterRef("on")) | Q(on=OuterRef("on"), pk__gt=OuterRef("pk"))
    )
    return (
        FollowUp.objects.filter(next_on__isnull=False, next_on__lte=today, next_on__gt=F("on"))
        .exclude(case__status__in=FINAL)
        .filter(~Exists(later))
        .select_related("case__agent")
        .only(
            "id",
            "on",
            "next_on",
            "case__id",
            "case__number",
            "case__status",
            "case__unit_id",
            "case__agent__id",
            "case__agent__username",
            "case__agent__is_active",
            "case__agent__unit_id",
            "case__agent__role",
        )
        .order_by("next_on", "id")
    )


def unit_agents(unit_ids) -> dict[int | None, list[User]]:
    """Those who work the cases of these units (``WORKS_CASES``: their agents), in one query."""
    agents: dict[int | None, list[User]] = {}
    workers = User.objects.filter(rules.holders(WORKS_CASES, reach=Reach.UNIT), unit_id__in=set(unit_ids))
    for user in workers.only("id", "username", "is_active", "unit_id"):
        agents.setdefault(user.unit_id, []).append(user)
    return agents


def bureau_staff() -> list[User]:
    """Those who supervise every unit's cases (``SUPERVISES`` for the whole county: bureau staff)."""
    supervisors = rules.users_who_may(SUPERVISES, reach=Reach.COUNTY)
    return list(supervisors.only("id", "username", "is_active"))


def passwords_to_wipe(closed_on_or_before: datetime.date) -> QuerySet[Case]:
    """Final cases closed on or before the day, whose platform password is still kept.

    The encrypted column cannot be compared with a value; the length of the stored token
    tells empty from kept without decrypting anything.
    """
    # A reply or review opinion whose request window has run out unused ends the case too:
    # the petitioner can no longer ask for 复查 or 复核 (条例 第35、36条).
    window_ran_out = Exists(
        CaseDeadline.objects.filter(
            case=OuterRef("pk"),
            clock__code__in=("review_request", "re_review_request"),
            stopped_on__isnull=True,
            due_on__lte=closed_on_or_before,
        )
    )
    return (
        Case.objects.filter(
            Q(status__in=FINAL, closed_on__isnull=False, closed_on__lte=closed_on_or_before)
            | Q(window_ran_out, status__in=(CaseStatus.DELIVERED, CaseStatus.REVIEWED))
        )
        .filter(GreaterThan(Length("platform_password"), 0))
        .only("id", "number", "status", "agent_id", "closed_on")
        .order_by("closed_on", "id")
    )
