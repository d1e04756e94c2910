"""Inspections (督察): bureau staff record them; the inspected unit reads its own; overdue is derived."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.access.rules import Refused
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.oversight import actions, selectors
from xinfang.oversight.models import Inspection

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


# --- The actions ------------------------------------------------------------------------------------------


def test_record_inspection_keeps_the_facts(bureau_user, units, inspect):
    inspection = inspect(
        bureau_user,
        units["chengguan"],
        inspectors=" 卢艺，涂元明  谭周清 ",
        findings=("other", "fees", "fees"),
        findings_note="台账不全",
    )
    assert inspection.inspectors == "卢艺、涂元明、谭周清"
    assert inspection.findings == ["fees", "other"]  # once each, in the list's order
    assert inspection.finding_labels == ["收取费用", "其他"]
    assert (inspection.unit, inspection.recorded_by, inspection.no_problems, inspection.rectified_on) == (
        units["chengguan"],
        bureau_user,
        False,
        None,
    )


def test_an_inspection_without_problems_needs_no_rectification(bureau_user, units, inspect):
    inspection = inspect(bureau_user, units["zengjia"], no_problems=True, findings=())
    assert inspection.no_problems and inspection.findings == [] and inspection.rectify_by is None
    assert not inspection.needs_rectification


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"no_problems": True}, "no_problems"),  # and findings: exclusive
        ({"findings": []}, "findings"),  # neither
        ({"findings": ["bribes"]}, "findings"),
        ({"inspectors": " 、 ,"}, "inspectors"),
        ({"findings": ["other"]}, "findings_note"),
        ({"rectification": " "}, "rectification"),
        ({"rectify_by": None}, "rectify_by"),
        ({"rectify_by": days_ago(10)}, "rectify_by"),  # the same day as the inspection
        ({"rectify_by": days_ago(12)}, "rectify_by"),  # before it
        (
            {
                "inspected_on": TODAY + datetime.timedelta(days=1),
                "rectify_by": TODAY + datetime.timedelta(days=30),
            },
            "inspected_on",
        ),
        ({"no_problems": True, "findings": [], "rectify_by": TODAY}, "rectification"),
    ],
)
def test_record_inspection_refuses_bad_entries(bureau_user, units, changes, field):
    data = {
        "inspected_on": days_ago(10),
        "inspectors": "卢艺",
        "findings": ["forced"],
        "findings_note": "",
        "no_problems": False,
        "rectification": "整改",
        "rectify_by": days_ago(-20),
        **changes,
    }
    with pytest.raises(actions.InspectionError) as refused:
        actions.record_inspection(by=bureau_user, unit=units["chengguan"], **data)
    assert refused.value.field == field
    assert not Inspection.objects.exists()


def test_only_bureau_staff_record_inspections(agent_cg, head_cg, units, inspect):
    for user in (agent_cg, head_cg):
        with pytest.raises(Refused):
            inspect(user, units["chengguan"])
        refusal = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED, actor=user)
        assert refusal.detail["capability"] == "record_inspections"
    assert not Inspection.objects.exists()


def test_record_rectification(bureau_user, units, inspect):
    inspection = inspect(bureau_user, units["chengguan"], inspected_on=days_ago(10))
    with pytest.raises(actions.InspectionError) as refused:
        actions.record_rectification(inspection, by=bureau_user, rectified_on=days_ago(11))
    assert refused.value.field == "rectified_on"
    with pytest.raises(actions.InspectionError):
        actions.record_rectification(
            inspection, by=bureau_user, rectified_on=TODAY + datetime.timedelta(days=1)
        )
    done = actions.record_rectification(inspection, by=bureau_user, rectified_on=days_ago(2), note=" 已退费 ")
    assert (done.rectified_on, done.rectified_note, done.rectified_by) == (days_ago(2), "已退费", bureau_user)
    with pytest.raises(actions.InspectionError, match="已经登记"):
        actions.record_rectification(done, by=bureau_user, rectified_on=TODAY)
    clean = inspect(bureau_user, units["zengjia"], no_problems=True, findings=())
    with pytest.raises(actions.InspectionError, match="不需要整改"):
        actions.record_rectification(clean, by=bureau_user, rectified_on=TODAY)


def test_overdue_is_derived_from_the_deadline_and_today(bureau_user, units, inspect):
    late = inspect(bureau_user, units["chengguan"], inspected_on=days_ago(40), rectify_by=days_ago(10))
    running = inspect(bureau_user, units["chengguan"], inspected_on=days_ago(5), rectify_by=days_ago(-5))
    due_today = inspect(bureau_user, units["chengguan"], inspected_on=days_ago(5), rectify_by=TODAY)
    clean = inspect(bureau_user, units["zengjia"], no_problems=True, findings=())
    overdue = {i.pk: i.overdue for i in selectors.inspections_for(bureau_user)}
    assert overdue == {late.pk: True, running.pk: False, due_today.pk: False, clean.pk: False}
    # Ten days on, the running one is overdue too: nothing stored had to change.
    later = {
        i.pk: i.overdue
        for i in selectors.inspections_for(bureau_user, today=TODAY + datetime.timedelta(days=10))
    }
    assert later[running.pk] and later[due_today.pk]
    actions.record_rectification(late, by=bureau_user, rectified_on=TODAY)
    assert not selectors.inspections_for(bureau_user).get(pk=late.pk).overdue


def test_inspection_findings_for_the_dashboard(bureau_user, units, inspect):
    found = inspect(bureau_user, units["chengguan"], inspected_on=days_ago(10))
    inspect(bureau_user, units["zengjia"], inspected_on=days_ago(10), no_problems=True, findings=())
    inspect(bureau_user, units["zengjia"], inspected_on=days_ago(100))
    result = list(selectors.inspection_findings(days_ago(30), TODAY))
    assert result == [found]
    assert result[0].unit.name == "城关镇" and result[0].overdue is False


# --- Over HTTP ---------------------------------------------------------------------------------------------


def test_bureau_records_an_inspection_through_the_form(client, bureau_user, units):
    client.force_login(bureau_user)
    assert client.get(reverse("oversight:inspection_new")).status_code == 200
    response = client.post(
        reverse("oversight:inspection_new"),
        {
            "unit": units["chengguan"].pk,
            "inspected_on": days_ago(3).isoformat(),
            "inspectors": "卢艺、涂元明",
            "findings": ["distortion", "irregular"],
            "findings_note": "一件诉求内容与委托人所述不符",
            "rectification": "重新核对诉求内容，向信访人说明",
            "rectify_by": days_ago(-14).isoformat(),
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "oversight:inspection", args=[inspection.pk]
    )
    body = client.get(response.url).content.decode()
    assert "歪曲信访人意愿、未按规定代理" in body and "重新核对诉求内容" in body and "登记整改完成" in body


def test_the_form_refuses_problems_with_no_problems_and_an_early_deadline(client, bureau_user, units):
    client.force_login(bureau_user)
    response = client.post(
        reverse("oversight:inspection_new"),
        {
            "unit": units["chengguan"].pk,
            "inspected_on": days_ago(3).isoformat(),
            "inspectors": "卢艺",
            "no_problems": "on",
            "findings": ["fees"],
            "rectification": "退费",
            "rectify_by": days_ago(4).isoformat(),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"no_problems", "rectify_by"} <= set(errors)
    response = client.post(
        reverse("oversight:inspection_new"),
        {
            "unit": units["chengguan"].pk,
            "inspected_on": days_ago(3).isoformat(),
            "inspectors": "卢艺",
        },
    )
    assert "findings" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_overdue_rectification_is_shown_and_filtered(client, bureau_user, units, inspect):
    late = inspect(bureau_user, units["chengguan"], inspected_on=days_ago(40), rectify_by=days_ago(10))
    running = inspect(bureau_user, units["zengjia"], inspected_on=days_ago(5), rectify_by=days_ago(-5))
    client.force_login(bureau_user)
    response = client.get(reverse("oversight:inspections"))
    body = response.content.decode()
    assert body.count("逾期未整改</span>") == 1 and "整改中" in body
    response = client.get(reverse("oversight:inspections"), {"overdue": "on"})
    assert [i.pk for i in response.context["page"]] == [late.pk]
    response = client.get(reverse("oversight:inspections"), {"unit": units["zengjia"].pk})
    assert [i.pk for i in response.context["page"]] == [running.pk]
    response = client.get(reverse("oversight:inspections"), {"year": str(days_ago(40).year)})
    assert late.pk in [i.pk for i in response.context["page"]]
    assert "已逾期" in client.get(reverse("oversight:inspection", args=[late.pk])).content.decode()

    response = client.post(
        reverse("oversight:inspection_rectified", args=[late.pk]),
        {"rectified_on": TODAY.isoformat(), "note": "已整改到位"},
    )
    assert response.status_code == 302
    assert "逾期未整改</span>" not in client.get(reverse("oversight:inspections")).content.decode()


def test_the_inspected_unit_reads_its_own_inspections_only(
    client, agent_cg, agent_zj, head_cg, bureau_user, units, inspect
):
    own = inspect(bureau_user, units["chengguan"])
    other = inspect(bureau_user, units["zengjia"])
    for user in (agent_cg, head_cg):
        client.force_login(user)
        response = client.get(reverse("oversight:inspections"))
        assert [i.pk for i in response.context["page"]] == [own.pk]
        body = client.get(reverse("oversight:inspection", args=[own.pk])).content.decode()
        assert "收取费用" in body and "登记整改完成" not in body  # read only
        assert client.get(reverse("oversight:inspection", args=[other.pk])).status_code == 404
        assert client.get(reverse("oversight:inspection_new")).status_code == 404
        response = client.post(
            reverse("oversight:inspection_rectified", args=[own.pk]), {"rectified_on": TODAY.isoformat()}
        )
        assert response.status_code == 404
    client.force_login(agent_zj)
    assert client.get(reverse("oversight:inspection", args=[own.pk])).status_code == 404
    own.refresh_from_db()
    assert own.rectified_on is None
