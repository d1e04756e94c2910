"""The capability table and the questions asked of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import make_user
from xinfang.access import policy, rules
from xinfang.access.models import Reach, Role
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import Case

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_row_grants_known_roles_known_reaches_and_is_labelled_in_chinese():
    assert len(policy.CAPABILITIES) > 25
    for cap in policy.CAPABILITIES.values():
        assert cap.grants, cap.code
        assert set(cap.grants) <= set(Role.values) and set(cap.grants.values()) <= set(Reach.values)
        assert re.search(r"[\u4e00-\u9fff]", cap.label) and re.search(r"[\u4e00-\u9fff]", cap.area)


def test_a_code_is_declared_once():
    with pytest.raises(ValueError, match="twice"):
        policy.declare("view_cases", area="x", label="x", grants={Role.AGENT: Reach.UNIT})


def test_separation_of_duties_no_role_holds_another_duty_s_rows():
    sysadmin = {c.code for c in policy.CAPABILITIES.values() if Role.SYSADMIN in c.grants}
    auditor = {c.code for c in policy.CAPABILITIES.values() if Role.AUDITOR in c.grants}
    bureau = {c.code for c in policy.CAPABILITIES.values() if Role.BUREAU in c.grants}
    assert sysadmin & auditor == {"view_access_table"}
    assert not {"read_audit", "verify_audit", "reset_second_factor"} & bureau
    assert "read_audit" not in sysadmin and "reset_second_factor" not in auditor


def test_reach_follows_the_unit(agent_cg, agent_zj, head_cg, bureau_user, leader, auditor, units):
    cg, zj = units["chengguan"], units["zengjia"]
    assert rules.can(agent_cg, "view_cases", cg) and not rules.can(agent_cg, "view_cases", zj)
    assert rules.can(head_cg, "view_cases", cg.pk) and not rules.can(head_cg, "view_cases", zj.pk)
    assert rules.can(bureau_user, "view_cases", zj) and rules.can(bureau_user, "view_cases")
    assert not rules.can(leader, "view_cases") and rules.can(leader, "view_figures", zj)
    assert not rules.can(auditor, "view_cases") and rules.can(auditor, "read_audit")
    assert not rules.can(head_cg, "reveal_personal", cg) and rules.can(agent_cg, "reveal_personal", cg)


def test_nobody_without_an_active_account_or_without_a_unit_reaches_anything(agent_cg, units):
    from django.contrib.auth.models import AnonymousUser

    assert not rules.can(AnonymousUser(), "view_cases")
    agent_cg.is_active = False
    assert not rules.can(agent_cg, "view_cases", units["chengguan"])
    agent_cg.is_active, agent_cg.unit = True, None
    assert rules.reach(agent_cg, "view_cases") is None


def test_scoped_cuts_a_queryset_to_the_unit(agent_cg, agent_zj, bureau_user, leader, make_case):
    mine = make_case(agent_cg, serial=1)
    theirs = make_case(agent_zj, serial=2)
    assert list(rules.scoped(Case.objects.all(), agent_cg, "view_cases")) == [mine]
    assert set(rules.scoped(Case.objects.all(), bureau_user, "view_cases")) == {mine, theirs}
    assert not rules.scoped(Case.objects.all(), leader, "view_cases").exists()
    assert rules.get_or_refuse(Case.objects.all(), agent_cg, "view_cases", mine.pk) == mine
    with pytest.raises(rules.Refused):
        rules.get_or_refuse(Case.objects.all(), agent_cg, "view_cases", theirs.pk)
    row = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).latest("seq")
    assert (row.actor, row.target_type, row.target_id) == (agent_cg, "cases.Case", str(theirs.pk))


def test_check_raises_and_logs_each_refusal(agent_cg, agent_zj, make_case):
    case = make_case(agent_zj, serial=3)
    rules.check(agent_zj, "reveal_personal", target=case)
    before = AuditEntry.objects.count()
    with pytest.raises(rules.Refused) as refused:
        rules.check(agent_cg, "reveal_personal", target=case)
    assert refused.value.code == "reveal_personal" and "无权" in refused.value.message
    row = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).latest("seq")
    assert AuditEntry.objects.count() == before + 1
    assert row.detail["capability"] == "reveal_personal" and row.target_id == str(case.pk)


def test_unknown_codes_are_a_programming_error_not_a_silent_no(agent_cg):
    with pytest.raises(LookupError):
        rules.can(agent_cg, "no_such_thing")


def test_templates_ask_only_for_codes_of_the_table():
    asked = set()
    for path in TEMPLATES.rglob("*.html"):
        asked |= set(re.findall(r"\b(?:may|county)\.(\w+)", path.read_text()))
    assert asked, "templates should ask the table through may.<code>"
    assert asked <= set(policy.CAPABILITIES), asked - set(policy.CAPABILITIES)


@pytest.mark.parametrize("who", ["bureau_user", "auditor"])
def test_the_table_is_shown_to_bureau_staff_and_the_auditor(client, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("access:table")).content.decode()
    assert "谁能做什么" in page and "导出完整台账" in page and "全县" in page and "本单位" in page
    for role in Role:
        assert role.label in page


def test_the_table_is_refused_to_agents_as_a_missing_page(client, agent_cg):
    client.force_login(agent_cg)
    response = client.get(reverse("access:table"))
    assert response.status_code == 404
    row = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).latest("seq")
    assert row.actor == agent_cg and row.detail["capability"] == "view_access_table"


def test_a_sysadmin_sees_the_table_too(client, units):
    admin = make_user("root1", Role.SYSADMIN, None, "系统管理员")
    client.force_login(admin)
    assert client.get(reverse("access:table")).status_code == 200


def test_the_page_shows_the_areas_in_their_order_with_the_steps_after_the_case_rows(client, bureau_user):
    client.force_login(bureau_user)
    page = client.get(reverse("access:table")).content.decode()
    page = page[page.index("<table") :]  # the navigation names some areas too
    positions = [page.index(f">{area}<") for area in policy.AREAS]
    assert positions == sorted(positions)
    assert page.index("登记受理") > page.index(f">{policy.STEPS_AREA}<")
