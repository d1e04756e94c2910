"""Cases registered before the platform: the rows of a unit's Excel 台账, brought in with their
original dates and status. ``xinfang.imports`` reads the file and checks it; this is the door
the cases come in by, as ``open_case`` is for a new one.

``record_past_cases(entries, *, by, unit)`` brings in each case as the live steps would have
left it:

1. the person through ``intake.save_petitioners``: encrypted and hashed as at intake; a known
   person whose particulars differ gets a new version, as an agent's confirmation gives one;
2. a number of the unit and the year of reception (``intake.allocate_numbers``);
3. the case with the days and answers of its steps, marked ``CaseSource.IMPORTED``;
4. one event per step of the registry on the way from 登记 to its status (``path``), on the
   day the ledger gives (none where it gives none), then an ``imported`` event naming the row;
5. the apps above follow (``hooks.after_history``): the clocks start and stop as of those days.

``by`` None is the server's shell (``xinfang import ledger``), run by whoever runs the server;
its events are then the cases' agents'.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.cases import hooks, intake
from xinfang.cases.intake import COMPLAINT_FIELDS
from xinfang.cases.models import FINAL_STATUSES, Case, CaseEvent, CaseSource
from xinfang.cases.models import CaseStatus as S
from xinfang.cases.steps import STEPS, Step, TransitionError

IMPORT = "import_ledger"
EVENT_CHUNK = 1000

# The case's own columns that an old ledger may give beside the days of the steps.
CASE_FIELDS = (
    "platform",
    "platform_username",
    "platform_password",
    "query_code",
    "submitted_at",
    "handling_body",
    "forward_mode",
    "handling_opinion",
    "referral_channel",
)
# Where a step's day goes on the case, for the steps of their own shape (the declared steps say it
# in their row's ``sets``); the final step's day is also the case's ``closed_on``.
OWN_DAYS = {"authorize": "authorized_on"}
# What a step's event keeps from the case's columns (its form's field → the case's column).
RECORDS = {"mode": "forward_mode", "opinion": "handling_opinion", "channel": "referral_channel"}


@dataclass
class PastCase:
    """One case of an old ledger, checked: what ``record_past_cases`` brings in."""

    petitioner: dict[str, Any]  # ``intake.PETITIONER_FIELDS``, as checked at intake
    complaint: dict[str, Any]  # ``intake.COMPLAINT_FIELDS`` and ``people_count``
    received_on: datetime.date
    status: str
    agent: Any
    dates: dict[str, datetime.date] = field(default_factory=dict)  # step name → its day
    fields: dict[str, Any] = field(default_factory=dict)  # ``CASE_FIELDS`` the ledger gives
    origin: dict[str, Any] = field(default_factory=dict)  # batch, sheet, row, old number: for the event


def _moves() -> list[Step]:
    """The steps that move a case from one status to another on its way (not 重新判断)."""
    return [s for s in STEPS.values() if s.target and s.sources and s.url_name]


# The paths found, for the registry as it stood (a step declared later starts them afresh).
_paths: dict[str, tuple[Step, ...]] = {}
_paths_of: list[Step] = []


def path_to(status: str) -> list[Step]:
    """The fewest steps from 登记 (status 登记中) to ``status``, 登记 first."""
    registry = list(STEPS.values())
    if len(registry) != len(_paths_of) or any(a is not b for a, b in zip(registry, _paths_of, strict=True)):
        _paths.clear()
        _paths_of[:] = registry
    if status not in _paths:
        _paths[status] = _path_to(status)
    return list(_paths[status])


def _path_to(status: str) -> tuple[Step, ...]:
    came: dict[str, tuple[str, Step] | None] = {S.INTAKE: None}
    queue = deque([S.INTAKE.value])
    while queue:
        now = queue.popleft()
        for step in _moves():
            target = step.target or ""
            if now in step.sources and target not in came:
                came[target] = (now, step)
                queue.append(target)
    if status not in came:
        raise TransitionError(f"没有办理环节能到达“{S(status).label}”。")
    steps: list[Step] = []
    while (before := came[status]) is not None:
        status, step = before
        steps.append(step)
    return (STEPS["open"], *reversed(steps))


def path(status: str, dated: Iterable[str] = ()) -> list[Step]:
    """The steps a case of ``status`` went through. A status that ends the case from several
    others (撤回委托) is reached from the furthest of those that the dated steps show."""
    if status in FINAL_STATUSES:
        (last,) = [s for s in _moves() if s.target == status]
        befores = [
            path_to(STEPS[name].target or "")
            for name in dated
            if name in STEPS and STEPS[name].target in last.sources
        ]
        if befores:
            return [*max(befores, key=len), last]
    return path_to(status)


def check(entry: PastCase) -> list[Step]:
    """The case's steps, or ``TransitionError`` naming the step (``field``) whose day does not
    fit: a day of a step the status does not reach, or a day before the day of a step before."""
    steps = path(entry.status, entry.dates)
    names = {s.name for s in steps}
    for name in entry.dates:
        if name not in names:
            raise TransitionError(
                f"状态为“{S(entry.status).label}”，不应有“{STEPS[name].event}”的日期。", name
            )
    before: tuple[datetime.date, Step] | None = None
    for step in steps:
        on = day_of(entry, step)
        if on is None:
            continue
        if before is not None and on < before[0]:
            raise TransitionError(
                f"{step.event}的日期（{on:%Y-%m-%d}）早于{before[1].event}的日期（{before[0]:%Y-%m-%d}）。",
                step.name,
            )
        before = (on, step)
    return steps


def day_of(entry: PastCase, step: Step) -> datetime.date | None:
    if step.name == "open":
        return entry.received_on
    return entry.dates.get(step.name)


def record_past_cases(entries: list[PastCase], *, by, unit) -> list[Case]:
    """Bring in the cases of an old ledger for ``unit`` (see the module's docstring). Every case
    or none: an entry that does not fit raises ``TransitionError`` and nothing is kept."""
    if by is not None:
        rules.check(by, IMPORT, unit=unit)
    with transaction.atomic():
        plans = [check(entry) for entry in entries]
        saved = intake.save_petitioners(unit, [entry.petitioner for entry in entries])
        cases = _cases(entries, saved, plans, unit)
        Case.objects.bulk_create(cases, batch_size=EVENT_CHUNK // 2)
        history = []
        events: list[CaseEvent] = []
        for case, entry, steps, person in zip(cases, entries, plans, saved, strict=True):
            actor = by if by is not None else case.agent
            dated = [(step.name, day_of(entry, step)) for step in steps]
            events += _events(case, entry, steps, actor=actor)
            if person.changed:
                data = {"fields": list(person.changed), "from_version": person.from_version}
                data["to_version"] = person.petitioner.version
                events.append(CaseEvent(case=case, by=actor, action="petitioner_changed", data=data))
            undated = [name for name, on in dated if on is None and STEPS[name].dated]
            events.append(
                CaseEvent(case=case, by=actor, action="imported", data={**entry.origin, "undated": undated})
            )
            history.append((case, dated))
        CaseEvent.objects.bulk_create(events, batch_size=EVENT_CHUNK)
        hooks.after_history(history, by=by)
        return cases


def _cases(entries: list[PastCase], saved: list[intake.Saved], plans: list[list[Step]], unit) -> list[Case]:
    """The cases, unsaved, numbered in the unit's years of reception in the entries' order."""
    per_year: dict[int, int] = defaultdict(int)
    for entry in entries:
        per_year[entry.received_on.year] += 1
    next_seq = {year: intake.allocate_numbers(unit, year, count) for year, count in sorted(per_year.items())}
    cases = []
    for entry, person, steps in zip(entries, saved, plans, strict=True):
        year = entry.received_on.year
        seq, next_seq[year] = next_seq[year], next_seq[year] + 1
        case = Case(
            unit=unit,
            year=year,
            seq=seq,
            number=f"{unit.name}-{year}-{seq:04d}",
            intake_token=uuid.uuid4(),
            status=entry.status,
            agent=entry.agent,
            received_on=entry.received_on,
            petitioner=person.petitioner,
            people_count=entry.complaint.get("people_count") or 1,
            source=CaseSource.IMPORTED,
            **{name: entry.complaint[name] for name in COMPLAINT_FIELDS},
            **{name: value for name, value in entry.fields.items() if name in CASE_FIELDS},
        )
        _set_days(case, entry, steps)
        cases.append(case)
    return cases


def _set_days(case: Case, entry: PastCase, steps: list[Step]) -> None:
    """The days of the steps where the case keeps them, as the steps themselves set them."""
    for step in steps:
        on = day_of(entry, step)
        if on is None:
            continue
        for column, key in step.sets.items():
            if key == "on":
                setattr(case, column, on)
        if step.name in OWN_DAYS:
            setattr(case, OWN_DAYS[step.name], on)
        if step.name == "submit" and case.submitted_at is None:
            case.submitted_at = local_midnight(on)
    if entry.status in FINAL_STATUSES:
        case.closed_on = day_of(entry, steps[-1])
    if len(steps) > 1 and steps[1].name in ("accept_scope", "refer"):
        case.scope_decided_at = local_midnight(entry.received_on)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The day's beginning in the platform's time zone: a day the ledger gives without its hour."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _events(case: Case, entry: PastCase, steps: list[Step], *, actor) -> list[CaseEvent]:
    events, status = [], ""
    for step in steps:
        data: dict[str, Any] = {"imported": True}
        for key in step.records:
            value = entry.fields.get(RECORDS.get(key, ""))
            if value:
                data[key] = value
        if step.name == "refer" and entry.fields.get("referral_channel"):
            data["channel"] = entry.fields["referral_channel"]
        events.append(
            CaseEvent(
                case=case,
                by=actor,
                on=day_of(entry, step),
                action=step.name,
                from_status=status,
                to_status=step.target or status,
                data=data,
            )
        )
        status = step.target or status
    return events
