"""Generated from the capability table: through the API, every capability is refused exactly where
the table (and so the pages, ``tests/test_permissions.py``) refuses it.

Each capability is either exercised through the API below (every step of the registry from the
registry itself) or named in ``NOT_OFFERED`` with the reason the API does not offer it. Each
exercise is tried as every persona of the page test and the three machine accounts (城关镇's,
曾家镇's, the county's), each with a token: allowed, it succeeds (2xx); not allowed, it answers
403 where the role has no grant at all and 404 where the grant does not reach 城关镇's data, the
database is unchanged, and the refusal is one row of the audit log. Each persona's try is rolled
back before the next, so that all of them meet the same case.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import make_user
from tests.permissions import PERSONAS, World, snapshot
from xinfang.access import policy, rules
from xinfang.access.models import Role
from xinfang.api import actions as api_actions
from xinfang.api.present import offered
from xinfang.api.tests.bodies import ApiClient, forge_token, person, registration, step_request
from xinfang.api.tests.conftest import expiry
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases import actions
from xinfang.cases.models import CaseStatus
from xinfang.cases.steps import STEPS, Step
from xinfang.cases.tests.factories import nearest_source, new_case, walk
from xinfang.oversight import actions as oversight

MACHINES = ("machine_cg", "machine_zj", "machine_county")

# Capabilities the API does not offer, and why: their pages stay the only way.
NOT_OFFERED = {
    "export_ledger": "台账导出为 .xlsx 文件，在台账页面",
    "export_ledger_full": "完整台账须填写理由，在页面导出",
    "petitioner_history": "按身份证号查询以往事项，只在登记页面随填写进行",
    "print_authorization": "授权委托书是打印的文书",
    "record_rating": "代为评价须核对信访人的表达方式，在事项页面",
    "record_feedback": "反馈表随送达填写，在事项页面",
    "view_feedback": "反馈表是打印的文书",
    "view_inspections": "督察记录在页面查看",
    "record_inspections": "督察记录在页面登记",
    "manage_targets": "目标和渠道台账在页面维护",
    "view_bulletins": "通报是 .docx 文书",
    "publish_bulletins": "发布通报冻结数字，只在页面进行",
    "manage_calendar": "节假日日历在页面维护",
    "publicity": "联系卡、宣传页是打印的文书",
    "manage_units": "单位在页面维护",
    "manage_accounts": "账户在页面管理",
    "view_outbox": "发件箱在页面查看",
    "reset_second_factor": "动态口令只能在页面重置",
    "view_access_table": "权限表在页面查看",
    "read_audit": "审计日志只在页面查看",
    "verify_audit": "审计日志只在页面核验",
    "manage_api_accounts": "接口账户只在页面创建和撤销",
    "export_case_file": "案卷是 .zip 文件，在事项页面导出",
    "export_case_file_full": "完整案卷须填写理由，在事项页面导出",
    "manage_retention": "个人信息保存期限和到期删除，只在页面进行（须确认）",
    "handle_data_requests": "信访人查阅、复制、删除个人信息的请求，只在页面办理",
    "export_audit": "审计日志只在页面导出",
    "import_ledger": "导入原有 Excel 台账须先预检、核对，在页面或命令行进行",
}


@dataclass(frozen=True)
class ApiExercise:
    code: str
    name: str
    prepare: Callable[[World], tuple[str, str, dict[str, Any]]]
    county: bool = False

    @property
    def id(self) -> str:
        return f"{self.code}:{self.name}"


API_EXERCISES: list[ApiExercise] = []


def api_exercise(code: str, *, county: bool = False):
    def register(prepare):
        API_EXERCISES.append(ApiExercise(code, prepare.__name__, prepare, county))
        return prepare

    return register


def _case(world: World, status: str = CaseStatus.INTAKE, *, serial: int = 1):
    start = world.today - datetime.timedelta(days=30)
    return walk(new_case(world.agent, received_on=start, serial=serial), status, by=world.agent, start=start)


def _step(step: Step, **given: Callable[[World], Any]):
    def prepare(world):
        case = _case(world, nearest_source(step))
        if step.name == "remove_petitioner":  # someone to remove
            co = person(9, name="联名某", mobile="13700003333")
            actions.take_step(case, "add_petitioner", by=world.agent, **co)
        extra = {name: make(world) for name, make in given.items()}
        return step_request(step, case, world.today - datetime.timedelta(days=2), **extra)

    prepare.__name__ = f"step_{step.name}"
    return prepare


def _other_number(world):
    return _case(world, serial=2).number


def _successor(world):
    return make_user("cg_second", Role.AGENT, world.unit, "接手某", "13800000007").pk


# What the steps about people need beyond what their forms' fields say by themselves.
GIVEN: dict[str, dict[str, Callable[[World], Any]]] = {
    "add_petitioner": {
        "name": lambda w: "联名某",
        "id_number": lambda w: person(8)["id_number"],
        "mobile": lambda w: "13700002222",
        "address": lambda w: "镇坪县城关镇某村",
    },
    "link": {"other": _other_number},
    "hand_over": {"agent": _successor, "reason": lambda w: "原代理员调岗"},
}
for _step_row in STEPS.values():
    if offered(_step_row):
        api_exercise(_step_row.capability)(_step(_step_row, **GIVEN.get(_step_row.name, {})))


@api_exercise("case_open", county=True)
def register_a_case(world):
    return "post", "/cases", registration()


@api_exercise("view_cases")
def read_a_case(world):
    return "get", f"/cases/{_case(world).pk}", {}


@api_exercise("view_cases")
def download_a_file(world):
    case = _case(world, CaseStatus.AUTHORIZED)
    return "get", f"/cases/{case.pk}/files/{case.files.get().pk}", {}


@api_exercise("view_cases")
def read_the_follow_ups(world):
    return "get", f"/cases/{_case(world, CaseStatus.SUBMITTED).pk}/follow-ups", {}


@api_exercise("reveal_personal")
def reveal_an_id_number(world):
    return "post", f"/cases/{_case(world).pk}/reveal", {"field": "id_number"}


def _report(world):
    return oversight.file_report(
        by=world.agent, kind="escalation", urgency="normal", happened_on=world.today, description="扬言去市里"
    )


@api_exercise("view_reports")
def read_a_report(world):
    return "get", f"/reports/{_report(world).pk}", {}


@api_exercise("file_report")
def file_a_report(world):
    case = _case(world)
    body = {
        "kind": "trend",
        "urgency": "normal",
        "happened_on": world.today.isoformat(),
        "description": "村民议论",
    }
    return "post", "/reports", {**body, "case": case.pk}


@api_exercise("handle_reports")
def acknowledge_a_report(world):
    return "post", f"/reports/{_report(world).pk}/acknowledge", {}


@api_exercise("view_figures", county=True)
def read_the_figures(world):
    return "get", f"/figures?kind=month&month={world.today:%Y-%m}", {}


@api_exercise("use_calculator", county=True)
def read_the_calendar(world):
    return "get", f"/calendar/{world.today.year}", {}


@api_exercise("use_calculator", county=True)
def compute_a_due_date(world):
    return "get", f"/calendar/due?start={world.today.isoformat()}&length=15", {}


@api_exercise("use_api", county=True)
def who_am_i(world):
    return "get", "/me", {}


@pytest.fixture
def world(units, agent_cg, agent_zj, head_cg, bureau_user, leader, auditor):
    people = {
        "agent_cg": agent_cg,
        "agent_zj": agent_zj,
        "head_cg": head_cg,
        "head_zj": make_user("head_zj", Role.UNIT_HEAD, units["zengjia"], "曾主任"),
        "bureau": bureau_user,
        "leader": leader,
        "sysadmin": make_user("sysadmin1", Role.SYSADMIN, None, "系统管理员"),
        "auditor": auditor,
    }
    for key, unit in (
        ("machine_cg", units["chengguan"]),
        ("machine_zj", units["zengjia"]),
        ("machine_county", None),
    ):
        people[key], _, _ = api_actions.create_machine_account(
            by=bureau_user, name=key, unit=unit, expires_on=expiry()
        )
    return World(units=units, people=people, today=timezone.localdate())


def test_every_capability_is_exercised_through_the_api_or_said_not_offered():
    exercised = {e.code for e in API_EXERCISES}
    assert not exercised & set(NOT_OFFERED)
    assert set(policy.CAPABILITIES) == exercised | set(NOT_OFFERED)


def _expected(by, code: str) -> int:
    if rules.reach(by, "use_api") is None:
        return 401
    return 403 if rules.reach(by, code) is None else 404


@pytest.mark.parametrize("exercise", API_EXERCISES, ids=lambda e: e.id)
def test_the_api_refuses_exactly_where_the_table_does(world, exercise):
    request = exercise.prepare(world)
    outcomes = {}
    for persona in (*PERSONAS, *MACHINES):
        by = world.people[persona]
        client = ApiClient(forge_token(by))
        allowed = rules.can(by, exercise.code, None if exercise.county else world.unit)
        with transaction.atomic():
            before = snapshot()
            denials = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=by).count()
            response = client.send(request)
            outcomes[persona] = response.status_code
            if allowed:
                assert response.status_code in (200, 201), (persona, response.content.decode())
            else:
                assert response.status_code == _expected(by, exercise.code), (
                    persona,
                    response.content.decode(),
                )
                assert response["Content-Type"] == "application/problem+json"
                assert snapshot() == before, f"{persona}: a refused request changed the database"
                if response.status_code != 401:
                    refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=by).count()
                    assert refusals == denials + 1, persona
            transaction.set_rollback(True)
    assert any(code < 300 for code in outcomes.values()), f"nobody may do it: {outcomes}"
