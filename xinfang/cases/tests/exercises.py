"""How the permission test (tests/test_permissions.py) exercises the capabilities of cases.

Every step of the registry that has its own row (``case_<name>``) is exercised from the registry
itself: a case of 城关镇 is walked to the nearest status the step may follow, with the real
actions, and the step is taken once as each persona (``factories``). A step declared later is
exercised with no edit here.
"""

from __future__ import annotations

import datetime
import uuid

from django.urls import reverse
from django.utils.http import urlencode

from conftest import complaint_data, make_id_number, make_user, petitioner_data
from tests.permissions import exercise
from xinfang.access.models import Role
from xinfang.cases import actions
from xinfang.cases.models import CaseStatus
from xinfang.cases.steps import STEPS, Step
from xinfang.cases.tests.factories import example_data, nearest_source, new_case, walk

# Registration and custom-shaped steps are exercised below; the others from the registry.
BY_HAND = {"open", "edit", "add_petitioner", "link", "hand_over"}


def _case(world, status: str = CaseStatus.INTAKE, *, serial: int = 1):
    """A case of 城关镇 (its agent's), received a month ago and walked to ``status``."""
    start = world.today - datetime.timedelta(days=30)
    case = new_case(world.agent, received_on=start, serial=serial)
    return walk(case, status, by=world.agent, start=start)


def _step_exercise(step: Step):
    def prepare(world):
        case = _case(world, nearest_source(step))
        on = world.today - datetime.timedelta(days=2)
        data = example_data(step, case, on)
        return lambda by: actions.take_step(case, step.name, by=by, **data)

    prepare.__name__ = f"take_{step.name}"
    return prepare


for _step in STEPS.values():
    if _step.capability == f"case_{_step.name}" and _step.name not in BY_HAND:
        exercise(_step.capability)(_step_exercise(_step))


@exercise("case_open", county=True)
def register_a_case(world):
    """A new case is registered in the actor's own unit: allowed to every agent."""
    return lambda by: actions.open_case(
        by=by, token=uuid.uuid4(), petitioner=petitioner_data(7), complaint=complaint_data()
    )


@exercise("case_edit")
def correct_what_was_registered(world):
    case = _case(world)
    person = petitioner_data(1, mobile="13700001111")
    complaint = {**complaint_data(), "title": "更正后的标题"}
    return lambda by: actions.update_case(case, by=by, petitioner=person, complaint=complaint)


@exercise("case_add_petitioner")
def add_a_joint_petitioner(world):
    case = _case(world)
    return lambda by: actions.take_step(case, "add_petitioner", by=by, **petitioner_data(8, name="联名某"))


@exercise("case_link")
def link_two_cases(world):
    case, other = _case(world), _case(world, serial=2)
    return lambda by: actions.take_step(case, "link", by=by, other=other, note="同一事项")


@exercise("case_hand_over")
def hand_a_case_to_another_agent(world):
    case = _case(world, CaseStatus.IN_SCOPE)
    successor = make_user("cg_second", Role.AGENT, world.unit, "接手某", "13800000007")
    return lambda by: actions.take_step(case, "hand_over", by=by, agent=successor, reason="原代理员调岗")


@exercise("view_cases")
def open_the_case_page(world):
    case = _case(world)
    return lambda by: world.page(by, reverse("cases:detail", args=[case.pk]))


@exercise("view_cases")
def open_a_file_of_the_case(world):
    case = _case(world, CaseStatus.AUTHORIZED)
    file = case.files.get()
    return lambda by: world.page(by, reverse("cases:file", args=[case.pk, file.pk]))


@exercise("export_ledger", county=True)
def export_the_ledger(world):
    _case(world)
    return lambda by: world.page(by, reverse("cases:export"))


@exercise("export_ledger_full", county=True)
def export_the_full_ledger(world):
    _case(world)
    url = reverse("cases:export_full")
    return lambda by: world.page(by, url, method="post", data={"reason": "按纪委函件核对信访人身份"})


@exercise("reveal_personal")
def reveal_an_id_number(world):
    case = _case(world)
    url = reverse("cases:reveal", args=[case.pk, "id_number"])
    return lambda by: world.page(by, url, method="post")


@exercise("petitioner_history", county=True)
def look_up_earlier_cases(world):
    _case(world)
    url = reverse("cases:history")
    return lambda by: world.page(by, url, method="post", data={"p-id_number": make_id_number(1)})


@exercise("print_authorization")
def print_the_authorization(world):
    case = _case(world, CaseStatus.IN_SCOPE)
    return lambda by: world.page(by, reverse("cases:authorization", args=[case.pk]))


@exercise("export_ledger", county=True)
def print_the_month_of_the_ledger(world):
    case = _case(world)
    query = {"month": f"{case.received_on:%Y-%m}", "unit": case.unit_id}
    return lambda by: world.page(by, reverse("cases:ledger_print") + "?" + urlencode(query))


@exercise("export_case_file")
def export_the_case_file(world):
    case = _case(world, CaseStatus.AUTHORIZED)
    return lambda by: world.page(by, reverse("cases:case_file", args=[case.pk]))


@exercise("export_case_file_full")
def export_the_full_case_file(world):
    case = _case(world, CaseStatus.AUTHORIZED)
    url = reverse("cases:case_file_full", args=[case.pk])
    return lambda by: world.page(by, url, method="post", data={"reason": "督察调阅完整案卷"})
