"""What the public pages and the publicity log read.

Everything shown without a login goes through this module, so what a citizen can see is
decided in one place: published, active agents of active units; of a case only its number,
status, the dates of its steps and its clocks (never a name, a number, an address or content).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from xinfang.access import rules
from xinfang.accounts.models import AgentProfile, Unit
from xinfang.accounts.selectors import published_profiles
from xinfang.cases import steps
from xinfang.cases.models import Case, CaseEvent
from xinfang.deadlines.selectors import DeadlineState, deadlines_for_case
from xinfang.public.models import LookupAttempt, PublicityEvent, PublicityKind
from xinfang.ratings.actions import rating_refusal
from xinfang.ratings.models import Rating

# --- The agent directory --------------------------------------------------------------------------


@dataclass
class UnitAgents:
    unit: Unit
    agents: list[AgentProfile] = field(default_factory=list)


def agent_directory(units: QuerySet[Unit] | None = None) -> list[UnitAgents]:
    """Published agents grouped by unit, in the units' order: one query."""
    profiles = published_profiles()
    if units is not None:
        profiles = profiles.filter(user__unit__in=units)
    grouped: dict[int, UnitAgents] = {}
    for profile in profiles:
        unit = profile.user.unit
        assert unit is not None  # published profiles are of agents in an active unit
        grouped.setdefault(unit.pk, UnitAgents(unit)).agents.append(profile)
    return list(grouped.values())


# --- The progress lookup ------------------------------------------------------------------------

# What a citizen is shown of a case's history: submission and the steps of the handling body,
# never edits, reveals, attachments, follow-ups or the data recorded with a step.
PUBLIC_STEPS = steps.PUBLIC  # the registry says which (``public``); a live selection
# Where the staff's word for a step reads oddly to a citizen.
MAX_CANDIDATES = 10  # cases sharing one 查询码 (it should be one; test data repeats codes)
# The columns a lookup loads: nothing else of the case or the person is decrypted (only the
# mobile, or the landline of a petitioner without a mobile, to compare its last four digits).
TRACK_FIELDS = ("id", "number", "status", "unit_id", "agent_id", "delivered_on", "query_code_hash")


def _public_label(event: CaseEvent) -> str:
    step = steps.STEPS.get(event.action)
    return (step.public_label if step else "") or event.label


def failures_since(*, ip: str | None, code_hash: str, since: datetime.datetime) -> tuple[list, list]:
    """The times of counted failures since ``since``: from this address, and at this code."""
    failures = LookupAttempt.objects.filter(success=False, throttled=False, at__gte=since)
    by_ip = failures.filter(ip__isnull=True) if ip is None else failures.filter(ip=ip)
    by_code = failures.filter(code_hash=code_hash)
    return (
        list(by_ip.order_by("-at").values_list("at", flat=True)),
        list(by_code.order_by("-at").values_list("at", flat=True)),
    )


def candidate_cases(code_hashes: set[str]) -> list[Case]:
    hashes = {h for h in code_hashes if h}
    if not hashes:
        return []
    return list(
        Case.objects.filter(query_code_hash__in=hashes)
        .select_related("petitioner")
        .only(*TRACK_FIELDS, "petitioner__mobile", "petitioner__landline")
        .order_by("id")[:MAX_CANDIDATES]
    )


def tracked_case(pk: int) -> Case | None:
    """The case a signed lookup token names (the token was checked by the caller)."""
    return Case.objects.filter(pk=pk).exclude(query_code_hash="").only(*TRACK_FIELDS).first()


@dataclass(frozen=True)
class PublicStep:
    label: str
    on: datetime.date | None


@dataclass(frozen=True)
class Progress:
    """All a citizen is shown of a case: no person, no content."""

    number: str
    status: str
    status_label: str
    steps: tuple[PublicStep, ...]
    deadlines: tuple[DeadlineState, ...]
    delivered: bool
    rated: bool
    can_rate: bool


def progress(case: Case, today: datetime.date | None = None) -> Progress:
    events = (
        CaseEvent.objects.filter(case=case, action__in=PUBLIC_STEPS).only("action", "on").order_by("at", "id")
    )
    return Progress(
        number=case.number,
        status=case.status,
        status_label=case.get_status_display(),
        steps=tuple(PublicStep(_public_label(event), event.on) for event in events),
        deadlines=tuple(deadlines_for_case(case, today)),
        delivered=case.delivered_on is not None,
        rated=Rating.objects.filter(case_id=case.pk).exists(),
        # The ratings app's own rule (delivered, not withdrawn, not yet rated) decides.
        can_rate=rating_refusal(case) is None,
    )


# --- Contact cards, flyers and the publicity log (staff) ---------------------------------------------

# Who prints a unit's cards and flyers and keeps its publicity log: the table's ``publicity``
# (an agent for the own unit, bureau staff for every unit).
PUBLICITY = "publicity"


def material_units(user) -> QuerySet[Unit]:
    """The active units whose cards and flyers this user may print."""
    return rules.scoped_units(Unit.objects.filter(active=True), user, PUBLICITY).order_by("sort_order", "id")


def material_unit_for(request, pk: int) -> Unit:
    """The unit, if the user may print its materials; else a logged refusal (a 404 page)."""
    unit = material_units(request.user).filter(pk=pk).first()
    if unit is None:
        raise rules.refuse(
            request.user, PUBLICITY, target_type="accounts.Unit", target_id=pk, request=request
        )
    return unit


def publicity_units(user) -> QuerySet[Unit]:
    """Units whose publicity this user records and sees (same rule as the materials)."""
    return material_units(user)


def publicity_events(user, *, unit: Unit | None = None, year: int | None = None) -> QuerySet[PublicityEvent]:
    events = rules.scoped(PublicityEvent.objects.all(), user, PUBLICITY)
    if unit is not None:
        events = events.filter(unit=unit)
    if year is not None:
        events = events.filter(on__year=year)
    return events.select_related("unit", "recorded_by").order_by("-on", "-id")


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    events: int
    people: int


def totals_by_kind(events: QuerySet[PublicityEvent]) -> tuple[list[KindTotal], KindTotal]:
    """Events and people reached per kind, in one aggregate query; and the sum of all kinds."""
    rows = {
        row["kind"]: row
        for row in events.order_by().values("kind").annotate(n=Count("id"), people=Sum("people_reached"))
    }
    totals = [
        KindTotal(kind, label, rows.get(kind, {}).get("n", 0), rows.get(kind, {}).get("people") or 0)
        for kind, label in PublicityKind.choices
    ]
    overall = KindTotal("", "合计", sum(t.events for t in totals), sum(t.people for t in totals))
    return totals, overall


def publicity_by_unit(start: datetime.date, end: datetime.date) -> dict[int, dict[str, dict[str, int]]]:
    """For the figures: per unit and kind, the events and people reached between two dates
    (both included). One aggregate query."""
    result: dict[int, dict[str, dict[str, int]]] = {}
    rows = (
        PublicityEvent.objects.filter(on__gte=start, on__lte=end)
        .order_by()
        .values("unit_id", "kind")
        .annotate(n=Count("id"), people=Sum("people_reached"))
    )
    for row in rows:
        result.setdefault(row["unit_id"], {})[row["kind"]] = {
            "events": row["n"],
            "people": row["people"] or 0,
        }
    return result


def publicity_years(events: QuerySet[PublicityEvent]) -> list[int]:
    return sorted({d.year for d in events.order_by().dates("on", "year")}, reverse=True)
