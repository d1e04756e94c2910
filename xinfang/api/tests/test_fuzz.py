"""Schemathesis against the live test server: every operation of the OpenAPI document, with a token
of each role, with data generated from the document (valid and invalid), a bounded number of
examples each (``XINFANG_FUZZ_EXAMPLES``: by default 2 valid requests per operation, each sent
as every role, and 2 invalid ones).

It must find 0 server errors, 0 answers that break the document (status, content type, headers,
body schema), invalid data never accepted, and 0 successful writes by the read-only roles (the
leader, both machine accounts, and the system administrator and the auditor, who may not use the
API at all): no 2xx to their writes, and each request of theirs leaves the database as it was
(but for what any request writes: its token's count, the audit log, the public look-up's tries). Path ids are drawn from the objects that exist (cases of
both towns in several statuses, their files, risk reports), so that the operations meet real
rows and not only 404s.
"""

from __future__ import annotations

import datetime
import os
import uuid
from dataclasses import dataclass, field

import requests
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi import checks

from conftest import make_user
from tests.permissions import snapshot
from xinfang.access.models import Role
from xinfang.api import actions as api_actions
from xinfang.api.tests.bodies import forge_token
from xinfang.api.tests.conftest import expiry
from xinfang.cases.models import CaseStatus
from xinfang.cases.tests.factories import new_case, walk
from xinfang.oversight import actions as oversight

VALID, INVALID = (int(n) for n in os.environ.get("XINFANG_FUZZ_EXAMPLES", "2,2").split(","))
CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
# A token of every role of the table: the system administrator and the auditor may not use the
# API at all (their tokens, made here all the same, are refused), the others read or write.
READ_ONLY = ("leader", "machine_unit", "machine_county", "sysadmin", "auditor")
WRITERS = ("agent", "head", "bureau")
# Written by any request whatever its outcome: left out of the read-only roles' comparison.
LOOKUPS = frozenset({"public.lookupattempt"})
IDEMPOTENCY = "Idempotency-Key"


def _world(units, agent_cg, agent_zj, bureau_user):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=40)
    cases = []
    for serial, (agent, status) in enumerate(
        (
            (agent_cg, CaseStatus.INTAKE),
            (agent_cg, CaseStatus.IN_SCOPE),
            (agent_cg, CaseStatus.SUBMITTED),
            (agent_cg, CaseStatus.ACCEPTED),
            (agent_cg, CaseStatus.CONCLUDED),
            (agent_zj, CaseStatus.AUTHORIZED),
        ),
        start=1,
    ):
        cases.append(walk(new_case(agent, received_on=start, serial=serial), status, by=agent, start=start))
    reports = [
        oversight.file_report(by=a, kind="trend", urgency="normal", happened_on=today, description="动态")
        for a in (agent_cg, agent_zj)
    ]
    files = [f.pk for case in cases for f in case.files.all()]
    people = {
        "agent": agent_cg,
        "head": make_user("head_cg2", Role.UNIT_HEAD, units["chengguan"], "陈主任"),
        "bureau": bureau_user,
        "leader": make_user("leader2", Role.LEADER, None, "贺组长"),
        "sysadmin": make_user("sysadmin2", Role.SYSADMIN, None, "系统管理员"),
        "auditor": make_user("auditor2", Role.AUDITOR, None, "审计员"),
    }
    people["machine_unit"], _, _ = api_actions.create_machine_account(
        by=bureau_user, name="统计", unit=units["chengguan"], expires_on=expiry()
    )
    people["machine_county"], _, _ = api_actions.create_machine_account(
        by=bureau_user, name="12345", unit=None, expires_on=expiry()
    )
    ids = {"case_id": [c.pk for c in cases], "file_id": files, "report_id": [r.pk for r in reports]}
    return people, ids


def _real_ids(case, ids: dict[str, list[int]]) -> None:
    """Generated ids become ids of real rows (the same generated value, the same row)."""
    for name, value in (case.path_parameters or {}).items():
        if name in ids and isinstance(value, int) and not isinstance(value, bool) and ids[name]:
            case.path_parameters[name] = ids[name][value % len(ids[name])]


@dataclass
class Run:
    """One live server, the tokens of every role, the ids of the rows, what went wrong."""

    base_url: str
    tokens: dict[str, str]
    ids: dict[str, list[int]]
    session: requests.Session = field(default_factory=requests.Session)
    failures: list[str] = field(default_factory=list)
    calls: int = 0

    def send(self, case, role: str) -> None:
        response = case.call(
            base_url=self.base_url,
            session=self.session,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
        )
        self.calls += 1
        label = f"{role} {case.operation.label}"
        if response.status_code >= 500:
            self.failures.append(f"{label}: {response.status_code} {response.text[:300]}")
        if role in READ_ONLY and case.method.upper() == "POST" and response.status_code < 300:
            if case.operation.label != "POST /api/v1/public/track":
                self.failures.append(f"{label}: a read-only role wrote ({response.status_code})")
        case.validate_response(response, checks=CHECKS)


def _fuzz(run: Run, operation, mode, count: int) -> None:
    """``count`` requests generated for ``operation``. Valid ones are sent as every role: the
    read-only roles first, the database compared around them, then the roles that may write.
    Invalid ones are refused before any role matters (the schema, then the forms): the agent's
    token sends them."""
    fixed = {"Authorization": "Bearer generated-per-role"}

    @given(case=operation.as_strategy(generation_mode=mode, headers=fixed))
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        if mode == GenerationMode.POSITIVE:  # an invalid id stays invalid
            _real_ids(case, run.ids)
            if case.headers and IDEMPOTENCY in case.headers:
                case.headers[IDEMPOTENCY] = uuid.uuid4().hex  # a new write, as a program sends it
        else:
            run.send(case, "agent")
            return
        before = snapshot(LOOKUPS)
        for role in READ_ONLY:
            run.send(case, role)
        if snapshot(LOOKUPS) != before:
            run.failures.append(f"{operation.label}: a read-only role changed the database")
        for role in WRITERS:
            run.send(case, role)

    try:
        check()
    except Unsatisfiable:
        assert mode == GenerationMode.NEGATIVE, operation.label  # nothing of it can be invalid


def test_every_operation_as_every_role(
    live_server, settings, tmp_path, units, agent_cg, agent_zj, bureau_user
):
    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    settings.PRIVATE_FILES_DIR = tmp_path
    people, ids = _world(units, agent_cg, agent_zj, bureau_user)
    run = Run(live_server.url, {role: forge_token(user) for role, user in people.items()}, ids)
    document = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), "the document has invalid operations"
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == sum(len(ops) for ops in document["paths"].values())
    for operation in operations:
        for mode, count in ((GenerationMode.POSITIVE, VALID), (GenerationMode.NEGATIVE, INVALID)):
            if count:
                _fuzz(run, operation, mode, count)
    run.session.close()
    assert run.failures == []
    assert {user.role for user in people.values()} == set(Role.values)
    assert run.calls >= len(operations) * len(people) * VALID
