"""What registering a case needs inside its transaction: the case's number, the unit's record of
the person, and the form's token. Called by ``actions.open_case`` and ``actions.update_case`` only.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from xinfang.access.rules import refuse
from xinfang.cases.models import Case, CaseNumberCounter, Petitioner
from xinfang.core import crypto
from xinfang.core.errors import DomainError

PETITIONER_FIELDS = ("name", "id_number", "mobile", "landline", "address", "work_unit")
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
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(unit=unit, year=year, last=0)], ignore_conflicts=True
    )
    CaseNumberCounter.objects.filter(unit=unit, year=year).update(last=F("last") + 1)
    return CaseNumberCounter.objects.get(unit=unit, year=year).last


def _fill(petitioner: Petitioner, data: dict[str, Any]) -> Petitioner:
    for field in PETITIONER_FIELDS:
        setattr(petitioner, field, data.get(field, ""))
    petitioner.save()
    return petitioner


def _find_petitioner(unit, id_hashes: list[str]) -> Petitioner | None:
    # Every key of the ring: during a key rotation the record may still carry the old key's hash.
    return Petitioner.objects.select_for_update().filter(unit=unit, id_number_hash__in=id_hashes).first()


def save_petitioner(unit, data: dict[str, Any], existing: Petitioner | None = None) -> Petitioner:
    """The unit's record of this person: found by ID number, updated with what was typed now.

    Two agents may register the same new person at the same moment. On PostgreSQL the second
    insert waits for the first transaction and then violates ``petitioner_unique_per_unit``;
    the insert runs in a savepoint, so that violation rolls back the insert alone, and the next
    look finds (and locks) the record the other agent has just committed. SQLite's writers run
    one at a time (BEGIN IMMEDIATE) and find it at the first look.
    """
    if existing is not None:
        return _fill(existing, data)
    id_hashes = crypto.lookup_hashes("id_number", data["id_number"])
    for _ in range(PETITIONER_TRIES):
        found = _find_petitioner(unit, id_hashes)
        if found is not None:
            return _fill(found, data)
        try:
            with transaction.atomic():
                return _fill(Petitioner(unit=unit), data)
        except IntegrityError:
            continue
    raise IntakeError(BUSY)


def earlier_post(token: uuid.UUID, by, *, request=None) -> Case | None:
    """The case an earlier post of the same form created, if any. A token of another agent's
    case (a crafted or mixed-up form) is refused: it must neither open nor reveal that case; the
    refusal is written to the audit log (outside any transaction, so it stays)."""
    case = Case.objects.filter(intake_token=token).only("pk", "unit_id", "agent_id").first()
    if case is not None and (case.unit_id != by.unit_id or case.agent_id != by.pk):
        refuse(by, "case_open", target_type="cases.Case", target_id=case.pk, request=request)
        raise IntakeError(FOREIGN_FORM)
    return None if case is None else Case.objects.get(pk=case.pk)
