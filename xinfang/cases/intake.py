"""What registering a case needs inside its transaction: the case's number, the unit's record of
the person, and the form's token. Called by ``actions.open_case`` and ``actions.update_case`` only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from xinfang.access.rules import refuse
from xinfang.audit import actions as audit
from xinfang.audit.models import AuditAction
from xinfang.cases.models import Case, CaseNumberCounter, CoPetitioner, Petitioner
from xinfang.core import crypto
from xinfang.core.errors import DomainError
from xinfang.core.identity import IdKind, kind_label

PETITIONER_FIELDS = ("name", "id_kind", "id_number", "mobile", "landline", "address", "work_unit")
# The particulars that make a new version when they differ from the person's latest record, with
# their words on the form that asks the agent to confirm.
COMPARED = {
    "name": "姓名",
    "id_kind": "证件类型",
    "mobile": "手机号码",
    "landline": "固定电话",
    "address": "家庭住址",
    "work_unit": "工作单位",
}
COMPLAINT_FIELDS = (
    "respondent_kind",
    "respondent_name",
    "petition_type",
    "category",
    "incident_town",
    "incident_place",
    "allow_public",
    "court_accepted",
    "reconsideration_done",
    "arbitration_accepted",
    "has_review_opinion",
    "title",
    "content",
)

FOREIGN_FORM = "这张登记表的表单编号已被其他登记使用，无法保存。已为您换上新的表单编号，您填写的内容都保留着，请核对后再次提交。"
BUSY = "同一信访人正由其他代理员同时登记，请稍候再提交一次；您填写的内容都保留着。"
# Tries at inserting a new person before giving up; each failure means another agent's insert
# of the same person committed meanwhile, so the next look finds it: two tries suffice.
PETITIONER_TRIES = 3


class IntakeError(DomainError):
    """A new-case form the rules refuse; the agent keeps what was typed."""


def allocate_number(unit, year: int) -> int:
    """Next number for the unit and year, with neither gaps nor duplicates.

    Runs inside the caller's transaction: the counter row stays locked (PostgreSQL row
    lock; SQLite's write lock taken at BEGIN IMMEDIATE) until the case is committed, and
    a rolled-back case gives its number back.
    """
    return allocate_numbers(unit, year, 1)


def allocate_numbers(unit, year: int, count: int) -> int:
    """The first of ``count`` consecutive numbers for the unit and year (the cases of an old
    ledger brought in at once), given as ``allocate_number`` gives one."""
    counter = CaseNumberCounter.objects.filter(unit=unit, year=year)
    # The counter exists but for a unit's first case of a year: the update alone, then its value.
    if not counter.update(last=F("last") + count):
        CaseNumberCounter.objects.bulk_create(
            [CaseNumberCounter(unit=unit, year=year, last=0)], ignore_conflicts=True
        )
        counter.update(last=F("last") + count)
    return counter.values_list("last", flat=True).get() - count + 1


class PetitionerChanged(IntakeError):
    """The document number is known, and the particulars typed now differ from those on record.

    Nothing is saved: the form shows the record and what was typed side by side (``rows``) and
    asks the agent to confirm (``confirmed_version=version`` on the next post). Confirmed, a new
    version is made; the earlier cases keep theirs.
    """

    MESSAGE = "该证件号码此前已登记过信访人信息，与本次填写的不一致。请与信访人核对下表，确认后再保存。"

    def __init__(self, record: Petitioner, data: dict[str, Any], changed: list[str]):
        super().__init__(self.MESSAGE, field="confirm_version")
        self.version = record.version
        self.record_pk = record.pk
        self.changed = changed
        self.rows = [
            (COMPARED[f], _shown(f, getattr(record, f)), _shown(f, _typed(data, f))) for f in changed
        ]


@dataclass(frozen=True)
class Saved:
    """The version a case points at, and how it came about (``changed``: the fields that differ
    from the person's version before, when a new version was made for them)."""

    petitioner: Petitioner
    changed: tuple[str, ...] = ()
    from_version: int | None = None


def _shown(field: str, value: Any) -> str:
    return kind_label(value) if field == "id_kind" else _clean(value)


def _clean(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) else str(value or "")


def _typed(data: dict[str, Any], field: str) -> Any:
    return data.get(field) or (IdKind.RESIDENT if field == "id_kind" else "")


def differences(record: Petitioner, data: dict[str, Any]) -> list[str]:
    return [f for f in COMPARED if _clean(getattr(record, f)) != _clean(_typed(data, f))]


def _fill(petitioner: Petitioner, data: dict[str, Any]) -> Petitioner:
    for field in PETITIONER_FIELDS:
        setattr(petitioner, field, _typed(data, field))
    petitioner.save()
    return petitioner


def _latest(unit, id_hashes: list[str]) -> Petitioner | None:
    # Every key of the ring: during a key rotation the record may still carry the old key's hash.
    rows = Petitioner.objects.select_for_update().filter(unit=unit, id_number_hash__in=id_hashes)
    return rows.order_by("-version", "-pk").first()


def save_petitioner(unit, data: dict[str, Any], *, confirmed_version: int | None = None) -> Saved:
    """The version of the unit's record of this person that a new case points at.

    The latest version when what was typed matches it; a new version when it differs and the
    agent has confirmed that version's differences (``confirmed_version``); else
    ``PetitionerChanged``. Two agents may register the same person (or the same new version) at
    the same moment: on PostgreSQL the second insert waits for the first transaction and then
    violates ``petitioner_version_unique_per_unit``; the insert runs in a savepoint, so that
    violation rolls back the insert alone, and the next look finds (and locks) the version the
    other agent has just committed. SQLite's writers run one at a time (BEGIN IMMEDIATE).
    """
    id_hashes = crypto.lookup_hashes("id_number", data["id_number"])
    for _ in range(PETITIONER_TRIES):
        latest = _latest(unit, id_hashes)
        changed: list[str] = []
        if latest is not None:
            changed = differences(latest, data)
            if not changed:
                return Saved(latest)
            if confirmed_version != latest.version:
                raise PetitionerChanged(latest, data, changed)
        version = 1 if latest is None else latest.version + 1
        try:
            with transaction.atomic():
                made = _fill(Petitioner(unit=unit, version=version), data)
        except IntegrityError:
            continue
        return Saved(made, tuple(changed), latest.version if latest is not None else None)
    raise IntakeError(BUSY)


# People read at once when an old ledger's rows are saved: well below every database's limit
# on bound parameters.
PEOPLE_CHUNK = 500


def latest_versions(unit, id_numbers: list[str], *, lock: bool = False) -> dict[str, Petitioner]:
    """The unit's latest version of each person, by document number as given (a query per
    ``PEOPLE_CHUNK`` people; every key of the ring). ``lock``: the rows stay locked until the
    transaction ends, as ``save_petitioner`` locks the one it reads."""
    wanted: dict[str, str] = {}  # keyed hash under any key of the ring → the number as given
    for number in id_numbers:
        for digest in crypto.lookup_hashes("id_number", number):
            wanted[digest] = number
    found: dict[str, Petitioner] = {}
    hashes = list(wanted)
    for start in range(0, len(hashes), PEOPLE_CHUNK):
        rows = Petitioner.objects.filter(unit=unit, id_number_hash__in=hashes[start : start + PEOPLE_CHUNK])
        for person in rows.select_for_update() if lock else rows:
            number = wanted[person.id_number_hash]
            best = found.get(number)
            if best is None or (person.version, person.pk) > (best.version, best.pk):
                found[number] = person
    return found


def completed(before: Any, row: dict[str, Any]) -> dict[str, Any]:
    """An old ledger's row with what it leaves empty taken from the person's latest version: a
    ledger that kept no address does not say the address changed."""
    if before is None:
        return row
    kept = {f: getattr(before, f) for f in COMPARED if f != "id_kind" and not _clean(row.get(f))}
    return {**row, **kept}


def save_petitioners(unit, rows: list[dict[str, Any]]) -> list[Saved]:
    """The version each of an old ledger's rows points at, in order (``actions_past``).

    As ``save_petitioner`` with the agent's confirmation given (what a row leaves empty is the
    latest version's, ``completed``): a row that matches the person's latest version points at it; a row that differs adds a version (its differences in
    ``Saved.changed``), which a later row of the same person is compared with. The latest
    versions are read and locked once for all rows, and the new versions inserted together. A
    registration of the same new version meanwhile breaks ``petitioner_version_unique_per_unit``
    and the whole import with it (nothing is kept; it may be run again).
    """
    latest = latest_versions(unit, [row["id_number"] for row in rows], lock=True)
    saved: list[Saved] = []
    made: list[Petitioner] = []
    for row in rows:
        before = latest.get(row["id_number"])
        row = completed(before, row)
        changed = differences(before, row) if before is not None else []
        if before is not None and not changed:
            saved.append(Saved(before))
            continue
        person = Petitioner(unit=unit, version=1 if before is None else before.version + 1)
        for field in PETITIONER_FIELDS:
            setattr(person, field, _typed(row, field))
        made.append(person)
        latest[row["id_number"]] = person
        saved.append(Saved(person, tuple(changed), before.version if before is not None else None))
    Petitioner.objects.bulk_create(made, batch_size=PEOPLE_CHUNK)
    return saved


def correct_petitioner(case: Case, data: dict[str, Any]) -> Saved:
    """What the edit form typed for the case's (first) petitioner, before the letter is signed.

    Another document number: the case moves to that person's record (asked to confirm like a new
    case when the particulars differ). The same number: the case's version is corrected in place
    when no other case points at it, else the case gets a version of its own, so that no other
    case changes.
    """
    person = case.petitioner
    if person.id_number != data.get("id_number"):
        return save_petitioner(case.unit, data, confirmed_version=data.get("confirmed_version"))
    changed = differences(person, data)
    if not changed:
        return Saved(person)
    shared = (
        Case.objects.filter(petitioner=person).exclude(pk=case.pk).exists()
        or CoPetitioner.objects.filter(petitioner=person).exists()
    )
    if not shared:
        return Saved(_fill(person, data), tuple(changed), person.version)
    latest = _latest(case.unit, crypto.lookup_hashes("id_number", data["id_number"]))
    version = (latest.version if latest is not None else person.version) + 1
    return Saved(_fill(Petitioner(unit=case.unit, version=version), data), tuple(changed), person.version)


def log_shown_record(exc: PetitionerChanged, *, by, request=None) -> None:
    """The form is about to show the person's particulars on record: a reveal, logged (outside
    the rolled-back transaction, so the row stays)."""
    audit.record(
        AuditAction.REVEAL,
        by=by,
        request=request,
        target_type="cases.Petitioner",
        target_id=exc.record_pk,
        field="petitioner_changes",
        fields=exc.changed,
    )


def earlier_post(token: uuid.UUID, by, *, request=None) -> Case | None:
    """The case an earlier post of the same form created, if any. A token of another agent's
    case (a crafted or mixed-up form) is refused: it must neither open nor reveal that case; the
    refusal is written to the audit log (outside any transaction, so it stays)."""
    found = next(iter(earlier_post_query(token)), None)
    if found is None:
        return None
    pk, unit_id, agent_id = found
    if unit_id != by.unit_id or agent_id != by.pk:
        refuse(by, "case_open", target_type="cases.Case", target_id=pk, request=request)
        raise IntakeError(FOREIGN_FORM)
    return Case.objects.get(pk=pk)


def earlier_post_query(token: uuid.UUID):
    """The look-up by the form's token: an equality on the unique index and nothing to sort by
    (``.first()`` would order by the model's ordering, and a planner without statistics may then
    walk another index in that order), so every planner takes the token's index."""
    return Case.objects.filter(intake_token=token).order_by().values_list("pk", "unit_id", "agent_id")[:1]
