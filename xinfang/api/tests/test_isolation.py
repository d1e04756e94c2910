"""The isolation walk over every operation of the API: the 曾家镇 agent's token gets 404 for every
城关镇 object the 城关镇 agent's token sees (cases, their files, risk reports), whatever the
operation and whatever the case's status, and every list it reads holds 曾家镇's rows only.
Each operation of the OpenAPI document is walked here or named as carrying no unit's object."""

from __future__ import annotations

import datetime

from django.utils import timezone

from conftest import make_user
from xinfang.access import rules
from xinfang.access.models import Role
from xinfang.api.present import offered
from xinfang.api.tests.bodies import step_request
from xinfang.cases.models import CaseStatus
from xinfang.cases.steps import STEPS
from xinfang.cases.tests.factories import new_case, walk
from xinfang.oversight import actions as oversight

TODAY = timezone.localdate()
STATUSES = (
    CaseStatus.INTAKE,
    CaseStatus.AUTHORIZED,
    CaseStatus.FORWARDED,
    CaseStatus.ACCEPTED,
    CaseStatus.DELIVERED,
    CaseStatus.RE_REVIEW_REQUESTED,
    CaseStatus.REFERRED,
)
# Bodies for the steps about people, whose forms need more than a case to fill themselves in.
GIVEN: dict[str, dict[str, object]] = {
    "add_petitioner": {"name": "联名某", "id_number": "x", "mobile": "13700002222", "address": "某地"},
    "remove_petitioner": {"position": 2},
    "link": {"other": "城关镇-2026-0001"},
    "hand_over": {"agent": 1, "reason": "调岗"},
}
# Operations that carry no unit's object: what they answer is the caller's own (or public).
UNITLESS = {"me", "calendar", "due_date", "track", "register_case", "figures"}


def _unit_cases(agent, serial: int, statuses=STATUSES):
    start = TODAY - datetime.timedelta(days=40)
    cases = []
    for n, status in enumerate(statuses):
        case = walk(new_case(agent, received_on=start, serial=serial + n), status, by=agent, start=start)
        cases.append(case)
    for case in cases[1:3]:
        oversight.file_report(
            by=agent, kind="trend", urgency="normal", happened_on=TODAY, description="动态", case=case
        )
    return cases


def _seen(api):
    """Every object the token sees: cases (all pages), their files and follow-ups, reports."""
    cases, cursor = [], None
    while True:
        page = api.get("/cases", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        cases += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    files = [(c["id"], f["id"]) for c in cases for f in api.get(f"/cases/{c['id']}").json()["files"]]
    reports = [r["id"] for r in api.get("/reports").json()["items"]]
    return cases, files, reports


def test_another_units_objects_are_not_there_for_every_operation(
    agent_cg, agent_zj, api_for, client, units, settings
):
    settings.API_REQUESTS_PER_MINUTE = 10_000  # a walk of hundreds of requests
    theirs = _unit_cases(agent_cg, serial=1)
    own = _unit_cases(agent_zj, serial=50, statuses=(CaseStatus.SUBMITTED,))
    cg, zj = api_for(agent_cg), api_for(agent_zj)
    cases, files, reports = _seen(cg)
    assert {c["id"] for c in cases} == {c.pk for c in theirs} and files and reports

    walked: set[str] = set()
    head = api_for(make_user("head_zj", Role.UNIT_HEAD, units["zengjia"], "曾主任"))
    for case in theirs:
        for step in STEPS.values():
            if offered(step):
                request = step_request(step, case, TODAY, **GIVEN.get(step.name, {}))
                # 曾家镇's agent, or its head for the steps of supervisors (a handover): 404. A
                # role without the step at all is refused before any case is looked at (403).
                by, api = (agent_zj, zj) if rules.reach(agent_zj, step.capability) else (None, head)
                answer = api.send(request)
                assert answer.status_code == 404, (step.name, case.status, answer.content.decode())
                if by is None:
                    assert zj.send(request).status_code == 403
                walked.add(f"step_{step.name}")
        for method, path, body, name in (
            ("get", f"/cases/{case.pk}", {}, "get_case"),
            ("get", f"/cases/{case.pk}/follow-ups", {}, "list_follow_ups"),
            ("post", f"/cases/{case.pk}/reveal", {"field": "id_number"}, "reveal"),
            (
                "post",
                "/reports",
                {
                    "kind": "trend",
                    "urgency": "normal",
                    "happened_on": TODAY.isoformat(),
                    "description": "动态",
                    "case": case.pk,
                },
                "file_report",
            ),
        ):
            answer = zj.send((method, path, body))
            assert answer.status_code == 404, (name, answer.content.decode())
            walked.add(name)
    for case_id, file_id in files:
        assert zj.get(f"/cases/{case_id}/files/{file_id}").status_code == 404
        assert zj.get(f"/cases/{own[0].pk}/files/{file_id}").status_code == 404  # through one's own case
        walked.add("download_file")
    for report_id in reports:
        assert zj.get(f"/reports/{report_id}").status_code == 404
        walked.add("get_report")
    # Steps and reports of bureau staff (handle_reports) refuse an agent outright: 403, like pages.
    for report_id in reports:
        assert zj.post(f"/reports/{report_id}/acknowledge").status_code == 403
        assert zj.post(f"/reports/{report_id}/disposal", {"disposal": "x"}).status_code == 403
        walked |= {"acknowledge_report", "record_disposal"}

    rows = zj.get("/cases", {"limit": 100}).json()["items"]
    assert rows and {row["unit"]["name"] for row in rows} == {"曾家镇"}
    assert {r["unit"]["name"] for r in zj.get("/reports").json()["items"]} <= {"曾家镇"}
    assert zj.get(f"/cases/{own[0].pk}").status_code == 200  # the token works for its own unit
    walked |= {"list_cases", "list_reports"}

    operations = {
        op["operationId"]
        for ops in client.get("/api/v1/openapi.json").json()["paths"].values()
        for op in ops.values()
    }
    assert operations - UNITLESS == walked, sorted(operations - UNITLESS - walked)
