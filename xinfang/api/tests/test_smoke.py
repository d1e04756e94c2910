from __future__ import annotations

from xinfang.api.tests.conftest import ApiClient


def test_list_and_detail(agent_cg, make_case, api_for):
    case = make_case(agent_cg)
    api = api_for(agent_cg)
    r = api.get("/cases")
    assert r.status_code == 200, r.content
    assert r.json()["items"][0]["id"] == case.pk
    r = api.get(f"/cases/{case.pk}")
    assert r.status_code == 200, r.content
    print(r.json())


def test_no_token(db):
    r = ApiClient(None).get("/cases")
    assert r.status_code == 401, r.content
    assert r["Content-Type"] == "application/problem+json"
