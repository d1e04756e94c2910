"""What the operations answer: the ledger and its cursor, a case, the logged reveal and download,
registration and steps (JSON and multipart) with the page forms' checks, retries with an
``Idempotency-Key``, the problems, risk reports, figures (a published month frozen), the
calendar, the public look-up with its limits, and the document and docs page."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from xinfang.api.tests.bodies import ApiClient, registration, step_body, step_request
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import Case, CaseStatus
from xinfang.cases.steps import STEPS
from xinfang.cases.tests.factories import new_case, walk

TODAY = timezone.localdate()


def _walked(agent, status, serial=1, days=30):
    start = TODAY - datetime.timedelta(days=days)
    return walk(new_case(agent, received_on=start, serial=serial), status, by=agent, start=start)


def test_the_ledger_pages_by_cursor_and_filters(agent_cg, make_case, api_for):
    cases = [
        make_case(agent_cg, serial=n, received_on=TODAY - datetime.timedelta(days=n)) for n in range(1, 6)
    ]
    api = api_for(agent_cg)
    first = api.get("/cases", {"limit": 2}).json()
    assert [c["id"] for c in first["items"]] == [cases[0].pk, cases[1].pk]
    second = api.get("/cases", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("/cases", {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [c["id"] for c in second["items"] + third["items"]] == [c.pk for c in cases[2:]]
    assert third["next_cursor"] is None
    row = first["items"][0]
    assert row["id_number_masked"].startswith("610***") and "*" in row["phone_masked"]
    assert api.get("/cases", {"status": "accepted"}).json()["items"] == []
    month = (TODAY - datetime.timedelta(days=1)).strftime("%Y-%m")
    assert api.get("/cases", {"month": month}).json()["items"]
    bad = api.get("/cases", {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["field"] == "cursor"
    wrong = api.get("/cases", {"month": "2026-13"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "month"
    assert api.get("/cases", {"limit": 0}).json()["field"] == "limit"


def test_a_case_with_its_history_clocks_and_files(agent_cg, api_for):
    case = _walked(agent_cg, CaseStatus.ACCEPTED)
    detail = api_for(agent_cg).get(f"/cases/{case.pk}").json()
    assert detail["status"] == "accepted"
    assert [e["action"] for e in detail["events"]][:2] == ["open", "accept_scope"]
    assert {d["clock"] for d in detail["deadlines"]} >= {"accept_notice", "conclude"}
    assert detail["files"] and "extend" in detail["steps_available"]
    assert "id_number" in detail["petitioners"][0]["reveal"]


def test_a_reveal_and_a_download_are_logged_like_the_pages(agent_cg, api_for):
    case = _walked(agent_cg, CaseStatus.AUTHORIZED)
    api = api_for(agent_cg)
    shown = api.post(f"/cases/{case.pk}/reveal", {"field": "id_number"})
    assert shown.json()["value"] == case.petitioner.id_number and shown["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, target_id=str(case.pk)).exists()
    assert api.post(f"/cases/{case.pk}/reveal", {"field": "id_number", "position": 2}).status_code == 404
    assert api.post(f"/cases/{case.pk}/reveal", {"field": "name"}).status_code == 400
    file = case.files.get()
    got = api.get(f"/cases/{case.pk}/files/{file.pk}")
    assert (
        got.status_code == 200
        and got.content.startswith(b"%PDF")
        and got["Content-Type"] == "application/pdf"
    )
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_registration_is_done_once_per_idempotency_key(agent_cg, api_for, categories):
    api = api_for(agent_cg)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/cases", registration(), headers=key)
    assert first.status_code == 201, first.content
    again = api.post("/cases", registration(), headers=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and Case.objects.count() == 1
    other = api.post("/cases", registration(serial=8), headers=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert api.post("/cases", registration(), headers={"Idempotency-Key": "含中文"}).status_code == 400
    assert api.post("/cases", registration()).status_code == 201 and Case.objects.count() == 2


def test_registration_checks_as_the_page_does(agent_cg, api_for, categories):
    api = api_for(agent_cg)
    body = registration()
    body["petitioner"]["id_number"] = "610927196805170010"  # a wrong check digit
    wrong = api.post("/cases", body)
    assert wrong.status_code == 400 and wrong.json()["field"] == "petitioner.id_number"
    assert "校验" in wrong.json()["detail"] or "证件" in wrong.json()["detail"]
    body = registration()
    body["complaint"]["title"] = 5
    assert api.post("/cases", body).json()["field"] == "complaint.title"
    api.post("/cases", registration())
    changed = registration()
    changed["petitioner"]["address"] = "镇坪县曾家镇另一个地址"
    conflict = api.post("/cases", changed)
    assert conflict.status_code == 409 and conflict.json()["code"] == "petitioner_changed"
    changed["petitioner"]["confirm_version"] = conflict.json()["confirm_version"]
    assert api.post("/cases", changed).status_code == 201


def test_a_step_in_json_and_one_with_files(agent_cg, api_for):
    api = api_for(agent_cg)
    case = _walked(agent_cg, CaseStatus.SUBMITTED)
    body = step_body(STEPS["forward"], case, TODAY - datetime.timedelta(days=3))
    taken = api.post(f"/cases/{case.pk}/steps/forward", body)
    assert taken.status_code == 200 and taken.json()["status"] == "forwarded"
    again = api.post(f"/cases/{case.pk}/steps/forward", body)
    assert again.status_code == 409 and again.json()["code"] == "step_not_allowed"
    scoped = _walked(agent_cg, CaseStatus.IN_SCOPE, serial=2)
    request = step_request(STEPS["authorize"], scoped, TODAY - datetime.timedelta(days=2))
    assert request[0] == "form"
    answer = api.send(request)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "authorized" and answer.json()["files"][0]["kind"] == "authorization"


def test_a_step_refused_by_its_form_or_rule_says_why_in_chinese(agent_cg, api_for):
    api = api_for(agent_cg)
    case = _walked(agent_cg, CaseStatus.SUBMITTED)
    body = step_body(STEPS["forward"], case, TODAY + datetime.timedelta(days=3))
    future = api.post(f"/cases/{case.pk}/steps/forward", body)
    assert future.status_code == 400 and future.json()["field"] == "on" and "今天" in future.json()["detail"]
    body = step_body(STEPS["forward"], case, TODAY - datetime.timedelta(days=60))
    early = api.post(f"/cases/{case.pk}/steps/forward", body)
    assert early.status_code == 400 and early.json()["code"] == "rule_refused"
    body = step_body(STEPS["forward"], case, TODAY)
    assert api.post(f"/cases/{case.pk}/steps/forward", {**body, "mode": "pigeon"}).json()["field"] == "mode"
    assert api.post(f"/cases/{case.pk}/steps/forward", {**body, "extra": 1}).json()["field"] == "extra"
    sent_as_json = api.post(f"/cases/{case.pk}/steps/authorize", {})
    assert sent_as_json.status_code == 400 and "multipart" in sent_as_json.json()["detail"]


def test_a_retried_step_gets_the_first_answer(agent_cg, api_for):
    api = api_for(agent_cg)
    case = _walked(agent_cg, CaseStatus.SUBMITTED)
    body = step_body(STEPS["forward"], case, TODAY - datetime.timedelta(days=3))
    key = {"Idempotency-Key": "forward-1"}
    first = api.post(f"/cases/{case.pk}/steps/forward", body, headers=key)
    second = api.post(f"/cases/{case.pk}/steps/forward", body, headers=key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and case.events.filter(action="forward").count() == 1


def test_problems_for_what_is_not_there(agent_cg, api_for):
    api = api_for(agent_cg)
    for path in ("/cases/999999", "/nowhere", "/cases/1/steps/fly"):
        answer = api.get(path) if "steps" not in path else api.post(path, {})
        assert answer.status_code in (404, 405), path
        if answer.status_code == 404:
            assert answer["Content-Type"] == "application/problem+json", path
    assert api.get("/cases/abc").status_code == 400


def test_an_unparsable_body_is_a_problem(agent_cg, api_for):
    api = api_for(agent_cg)
    answer = api.client.post(
        "/api/v1/cases", "{not json", content_type="application/json", headers=api.headers()
    )
    assert answer.status_code == 400 and answer.json()["code"] == "bad_request"


def test_risk_reports(agent_cg, bureau_user, api_for, make_case):
    case = make_case(agent_cg)
    agent, bureau = api_for(agent_cg), api_for(bureau_user)
    body = {
        "kind": "collective",
        "urgency": "urgent",
        "happened_on": TODAY.isoformat(),
        "description": "可能集体上访",
        "case": case.pk,
    }
    made = agent.post("/reports", body)
    assert made.status_code == 201, made.content
    report = made.json()
    assert report["petitioner_name"] == case.petitioner.name and report["case_number"] == case.number
    assert [r["id"] for r in bureau.get("/reports").json()["items"]] == [report["id"]]
    assert bureau.post(f"/reports/{report['id']}/acknowledge").json()["status"] == "acknowledged"
    again = bureau.post(f"/reports/{report['id']}/acknowledge")
    assert again.status_code == 400 and again.json()["code"] == "rule_refused"
    done = bureau.post(f"/reports/{report['id']}/disposal", {"disposal": "已约谈"})
    assert done.json()["status"] == "disposed" and done.json()["disposal"] == "已约谈"


def test_figures_as_the_dashboard_and_a_published_month_as_frozen(bureau_user, head_cg, api_for, units):
    bureau = api_for(bureau_user)
    figures = bureau.get("/figures", {"kind": "month", "month": TODAY.strftime("%Y-%m")}).json()
    assert figures["county"]["name"] == "全县合计" and not figures["frozen"]
    assert {row["name"] for row in figures["units"]} >= {"城关镇", "曾家镇"}
    one = bureau.get("/figures", {"unit": units["zengjia"].pk}).json()
    assert [row["name"] for row in one["units"]] == ["曾家镇"] and one["county"] is None
    head = api_for(head_cg).get("/figures").json()
    assert [row["name"] for row in head["units"]] == ["城关镇"] and head["county"] is None
    assert api_for(head_cg).get("/figures", {"unit": units["zengjia"].pk}).status_code == 404
    assert bureau.get("/figures", {"kind": "quarter", "year": TODAY.year}).json()["field"] == "quarter"


def test_a_published_month_is_answered_as_frozen(bureau_user, api_for, agent_cg):
    from xinfang.bulletins import actions as bulletins

    month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    bulletins.publish_bulletin(month=month, by=bureau_user)
    answer = api_for(bureau_user).get("/figures", {"kind": "month", "month": month.strftime("%Y-%m")}).json()
    assert answer["frozen"] and answer["bulletin"]


def test_the_calendar_and_the_due_date(agent_cg, api_for):
    api = api_for(agent_cg)
    year = api.get("/calendar/2025").json()
    assert year["entered"] and any(day["name"] == "春节" for day in year["holidays"])
    due = api.get("/calendar/due", {"start": "2025-09-30", "length": 15}).json()
    assert due["due_on"] == "2025-10-15" and due["steps"]
    assert api.get("/calendar/1999").status_code == 400


def test_the_public_look_up_keeps_its_limits(agent_cg, db):
    case = _walked(agent_cg, CaseStatus.SUBMITTED)
    public = ApiClient(None)
    found = public.post("/public/track", {"code": case.query_code, "last4": case.petitioner.mobile[-4:]})
    assert found.status_code == 200, found.content
    assert found.json()["number"] == case.number and "李" not in found.content.decode()
    for _ in range(5):
        wrong = public.post("/public/track", {"code": case.query_code, "last4": "0000"})
    assert (
        wrong.status_code == 429
        and wrong.json()["code"] == "lookup_throttled"
        and int(wrong["Retry-After"]) > 0
    )


def test_the_document_and_the_docs_page(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    steps = [p for p in document["paths"] if "/steps/" in p]
    assert len(steps) == len({p.rsplit("/", 1)[1] for p in steps}) >= 25
    problem = document["paths"]["/api/v1/cases"]["get"]["responses"]["404"]["content"]
    assert list(problem) == ["application/problem+json"]
    docs = client.get("/api/v1/docs")
    html = docs.content.decode()
    assert docs.status_code == 200 and "script-src 'self'" in docs["Content-Security-Policy"]
    assert (
        "<script>" not in html and "cdn" not in html.lower() and "/static/ninja/swagger-ui-bundle.js" in html
    )


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/cases/1/reveal"])
def test_anything_else_under_the_api_is_a_problem(client, db, path):
    answer = client.get(path)
    assert answer.status_code in (401, 404, 405)


def test_the_queries_of_a_call_do_not_grow_with_its_rows(agent_cg, api_for, make_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(agent_cg)
    api.get("/me")  # the token's first use from this address is logged once, not counted here

    def counted(path, params=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path, params).status_code == 200
        return len(captured.captured_queries)

    few = _walked(agent_cg, CaseStatus.ACCEPTED)  # the same status: the same steps are asked about
    make_case(agent_cg, serial=2)
    listed = counted("/cases")
    for n in range(3, 9):
        make_case(agent_cg, serial=n)
    assert counted("/cases") == listed
    many = _walked(agent_cg, CaseStatus.ACCEPTED, serial=20)
    for n in range(4):
        follow = {"means": "phone", "contact": "某科", "content": f"第{n}次"}
        api.post(f"/cases/{many.pk}/steps/follow_up", {"on": TODAY.isoformat(), **follow})
    assert many.events.count() == few.events.count() + 4 and many.follow_ups.count() == 4
    assert counted(f"/cases/{many.pk}") == counted(f"/cases/{few.pk}")
