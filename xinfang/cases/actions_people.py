"""The people of a case: several petitioners (联名), related cases (集体访), and the agent who
holds it (handover). Steps of their own shape, named by their rows in the registry and taken
through ``actions.take_step`` like every other step; the same order of checks as there.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from xinfang.access import rules
from xinfang.accounts.successors import HOLDS_CASES
from xinfang.cases import intake, workflow
from xinfang.cases.history import locked, record_event, record_new_version
from xinfang.cases.models import COLLECTIVE_FROM, MAX_REPRESENTATIVES, Case, CoPetitioner
from xinfang.cases.steps import STEPS, TransitionError
from xinfang.core import crypto

MIN_REASON = 2


def _listed_hashes(case: Case) -> set[str]:
    people = case.petitioners()
    return {p.id_number_hash for p in people}


def add_co_petitioner(case: Case, *, by, confirmed_version: int | None = None, **particulars: Any) -> Case:
    """Another petitioner of the same matter (联名信访), with their own particulars, before the
    授权委托书 is signed. In a 集体访 the listed petitioners are its representatives: at most
    ``MAX_REPRESENTATIVES`` (第二十条). Otherwise the case's count of people grows with the list."""
    step = STEPS["add_petitioner"]
    rules.check(by, step.capability, target=case)
    try:
        with transaction.atomic():
            case = locked(case)
            workflow.check(case.status, step.name)
            listed = 1 + case.co_petitioners.count()
            if case.is_collective and listed >= MAX_REPRESENTATIVES:
                raise TransitionError(
                    f"集体访只登记代表，代表不超过{MAX_REPRESENTATIVES}人；本事项已列明{listed}人。"
                )
            keys = set(crypto.lookup_hashes("id_number", particulars.get("id_number", "")))
            if keys & _listed_hashes(case):
                raise TransitionError("该证件号码的信访人已列在本事项中。", field="id_number")
            saved = intake.save_petitioner(case.unit, particulars, confirmed_version=confirmed_version)
            position = (case.co_petitioners.aggregate(last=Max("position"))["last"] or 0) + 1
            CoPetitioner.objects.create(case=case, petitioner=saved.petitioner, position=position)
            if not case.is_collective and case.people_count < listed + 1:
                case.people_count = listed + 1
                case.save(update_fields={"people_count", "updated_at"})
            record_event(case, by=by, action=step.name, position=position, listed=listed + 1)
            record_new_version(case, saved, by=by)
            return case
    except intake.PetitionerChanged as exc:
        intake.log_shown_record(exc, by=by)
        raise


def remove_co_petitioner(case: Case, *, by, position: int) -> Case:
    """Take a petitioner off the list before the letter is signed (typed by mistake, or no
    longer joining). The first petitioner stays: correct them on the edit form."""
    step = STEPS["remove_petitioner"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        deleted, _ = case.co_petitioners.filter(position=position).delete()
        if not deleted:
            raise TransitionError("本事项没有这名联名信访人。", field="position")
        record_event(case, by=by, action=step.name, position=position, listed=1 + case.co_petitioners.count())
        return case


def link_case(case: Case, *, by, other: Case, note: str = "") -> Case:
    """Tie two cases about the same matter (a 集体访 and the cases of its people, say): each shows
    the other. Both must be cases the user may act on."""
    step = STEPS["link"]
    rules.check(by, step.capability, target=case)
    rules.check(by, step.capability, target=other)
    if other.pk == case.pk:
        raise TransitionError("不能关联本事项自身。", field="other")
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        if case.related_cases.filter(pk=other.pk).exists():
            raise TransitionError(f"已与 {other.number} 关联。", field="other")
        case.related_cases.add(other)
        note = note.strip()
        record_event(case, by=by, action=step.name, other=other.number, note=note)
        record_event(other, by=by, action=step.name, other=case.number, note=note)
        return case


def hand_over(case: Case, *, by, agent, reason: str) -> Case:
    """Move the case to another agent of its unit (the unit head or bureau staff, with a reason).
    The new agent follows it from now on: reminders, the platform header line, a new 授权委托书
    printed in their name. The history keeps both."""
    step = STEPS["hand_over"]
    rules.check(by, step.capability, target=case)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise TransitionError("请写明移交原因。", field="reason")
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        _check_new_agent(case, agent)
        before = case.agent
        case.agent = agent
        case.save(update_fields={"agent", "updated_at"})
        record_event(
            case,
            by=by,
            action=step.name,
            from_agent=before.full_name,
            from_agent_id=before.pk,
            to_agent=agent.full_name,
            to_agent_id=agent.pk,
            reason=reason,
        )
        return case


def _check_new_agent(case: Case, agent) -> None:
    if agent is None or agent.pk == case.agent_id:
        raise TransitionError("请选择另一名代理员。", field="agent")
    if (
        not agent.is_active
        or not rules.can(agent, HOLDS_CASES, case.unit_id)
        or agent.unit_id != case.unit_id
    ):
        raise TransitionError("只能移交给本单位在岗的代理员。", field="agent")


def open_cases_of(agent) -> list[Case]:
    """The cases an agent still holds (not ended): what must go to someone else before the
    account is deactivated."""
    return list(Case.objects.filter(agent=agent).exclude(status__in=workflow.FINAL).order_by("pk"))


def hand_over_all(agent, *, by, to: list, reason: str) -> int:
    """Every open case of ``agent`` to the agents ``to``: one agent takes them all, several take
    them in turn (spread evenly). Each move is a handover with its event. Returns the count."""
    cases = open_cases_of(agent)
    if cases and not to:
        raise TransitionError("该代理员还有未办结的事项，请选择接手的代理员。", field="to")
    for case in cases:  # the actor first, outside the transaction: a refusal's audit row stays
        rules.check(by, STEPS["hand_over"].capability, target=case)
    with transaction.atomic():
        for index, case in enumerate(cases):
            hand_over(case, by=by, agent=to[index % len(to)], reason=reason)
    return len(cases)


__all__ = [
    "COLLECTIVE_FROM",
    "add_co_petitioner",
    "hand_over",
    "hand_over_all",
    "link_case",
    "open_cases_of",
    "remove_co_petitioner",
]
