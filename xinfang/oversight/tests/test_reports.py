"""Risk reports: agents file them, bureau staff are told at once, acknowledge and record disposal."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from xinfang.access.rules import Refused
from xinfang.accounts.models import Role
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.notify.models import Notice, OutboxMessage
from xinfang.oversight import actions, selectors
from xinfang.oversight.models import ReportEvent, RiskReport

TODAY = timezone.localdate()
SECRET = "柳青禾扬言在县政府门口喝农药"


# --- Filing -------------------------------------------------------------------------------------------


def test_an_agent_files_a_report_for_the_own_unit(agent_cg, units, make_case, file_report):
    case = make_case(agent_cg)
    report = file_report(agent_cg, kind="extreme", urgency="normal", case=case, description=" 情况属实 ")
    assert (
        report.unit,
        report.reported_by,
        report.kind,
        report.urgency,
        report.description,
        report.case,
    ) == (units["chengguan"], agent_cg, "extreme", "normal", "情况属实", case)
    assert report.petitioner_name == case.petitioner.name  # taken from the case when left blank
    assert report.status == "new"
    assert list(report.events.values_list("action", flat=True)) == ["file"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"happened_on": TODAY + datetime.timedelta(days=1)}, "happened_on"),
        ({"description": "   "}, "description"),
        ({"kind": "rumour"}, "kind"),
        ({"urgency": "very"}, "urgency"),
    ],
)
def test_file_report_refuses_bad_entries(agent_cg, changes, field):
    data = {"kind": "escalation", "urgency": "urgent", "happened_on": TODAY, "description": "情况", **changes}
    with pytest.raises(actions.ReportError) as refused:
        actions.file_report(by=agent_cg, **data)
    assert refused.value.field == field
    assert not RiskReport.objects.exists() and not Notice.objects.exists()


def test_only_agents_file_and_never_with_another_units_case(
    agent_cg, agent_zj, bureau_user, head_cg, make_case, file_report
):
    for user in (bureau_user, head_cg):
        with pytest.raises(Refused):
            file_report(user)
    case_cg = make_case(agent_cg)
    with pytest.raises(Refused):
        file_report(agent_zj, case=case_cg)
    refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, detail__capability="file_report")
    assert [row.actor for row in refusals.order_by("seq")] == [bureau_user, head_cg, agent_zj]
    assert not RiskReport.objects.exists()


def test_urgent_report_tells_every_active_bureau_user_at_once(
    agent_cg, bureau_user, units, file_report, django_capture_on_commit_callbacks
):
    other = make_user("tu", Role.BUREAU, units["bureau"], "涂元明")
    gone = make_user("old", Role.BUREAU, units["bureau"], "已调离")
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(
            agent_cg, kind="extreme", urgency="urgent", description=SECRET, petitioner_name="柳青禾"
        )

    notices = Notice.objects.order_by("recipient__username")
    assert [n.recipient for n in notices] == [bureau_user, other]
    assert {n.level for n in notices} == {"danger"}
    text = notices[0].text
    assert "城关镇" in text and "扬言过激行为" in text and "紧急" in text and f"第{report.pk}号" in text
    messages = OutboxMessage.objects.all()
    assert {m.recipient for m in messages} == {bureau_user, other}
    for written in [n.text for n in notices] + [m.subject + m.body for m in messages]:
        assert "柳青禾" not in written and "农药" not in written  # no personal data leaves the report
    assert not Notice.objects.filter(recipient=agent_cg).exists()


def test_normal_report_is_told_too_but_as_information(
    agent_cg, bureau_user, file_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_report(agent_cg, kind="trend", urgency="normal")
    notice = Notice.objects.get()
    assert (notice.recipient, notice.level) == (bureau_user, "info")
    assert "其他信访动态" in notice.text and "一般" in notice.text
    assert OutboxMessage.objects.filter(recipient=bureau_user).count() == 1


def test_description_and_disposal_are_encrypted_at_rest(agent_cg, bureau_user, file_report):
    report = file_report(agent_cg, description=SECRET)
    actions.record_disposal(report, by=bureau_user, disposal="已联系柳青禾家属，稳控到位")
    with connection.cursor() as cursor:
        cursor.execute("SELECT description, disposal FROM oversight_riskreport WHERE id = %s", [report.pk])
        description, disposal = cursor.fetchone()
    assert description.startswith("x1.") and disposal.startswith("x1.")
    assert "柳青禾" not in description + disposal and "农药" not in description
    report.refresh_from_db()
    assert report.description == SECRET


# --- Acknowledgement and disposal -----------------------------------------------------------------------


def test_acknowledge_then_dispose_with_history(agent_cg, bureau_user, file_report):
    report = file_report(agent_cg)
    report = actions.acknowledge_report(report, by=bureau_user)
    assert (report.status, report.acknowledged_by) == ("acknowledged", bureau_user)
    with pytest.raises(actions.ReportError, match="已经签收"):
        actions.acknowledge_report(report, by=bureau_user)
    with pytest.raises(actions.ReportError) as empty:
        actions.record_disposal(report, by=bureau_user, disposal="  ")
    assert empty.value.field == "disposal"
    report = actions.record_disposal(report, by=bureau_user, disposal="已约谈，信访人同意申请复查。")
    assert (report.status, report.disposed_by) == ("disposed", bureau_user)
    with pytest.raises(actions.ReportError, match="已登记处置"):
        actions.record_disposal(report, by=bureau_user, disposal="再次处置")
    assert list(ReportEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "file",
        "acknowledge",
        "dispose",
    ]


def test_disposal_of_an_unacknowledged_report_acknowledges_it(agent_cg, bureau_user, file_report):
    report = actions.record_disposal(file_report(agent_cg), by=bureau_user, disposal="已处置")
    assert report.acknowledged_by == bureau_user and report.acknowledged_at is not None
    assert list(report.events.values_list("action", flat=True)) == ["file", "acknowledge", "dispose"]


def test_only_bureau_staff_acknowledge_and_dispose(agent_cg, head_cg, file_report):
    report = file_report(agent_cg)
    for user in (agent_cg, head_cg):
        with pytest.raises(Refused):
            actions.acknowledge_report(report, by=user)
        with pytest.raises(Refused):
            actions.record_disposal(report, by=user, disposal="x")
        refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=user)
        assert [row.detail["capability"] for row in refusals] == ["handle_reports"] * 2
    report.refresh_from_db()
    assert report.status == "new"


# --- The banner ------------------------------------------------------------------------------------------


def banner(body: str) -> str:
    """The banner's HTML, or "" when the page has none."""
    start = body.find('class="msg msg-error no-print urgent-reports"')
    return body[start : body.index("</div>", start)] if start >= 0 else ""


def test_banner_shows_on_every_bureau_page_until_acknowledged(client, agent_cg, bureau_user, file_report):
    urgent = file_report(agent_cg, kind="collective", urgency="urgent")
    file_report(agent_cg, kind="trend", urgency="normal")
    link = reverse("oversight:report", args=[urgent.pk])
    client.force_login(bureau_user)
    for url in (reverse("cases:list"), reverse("notify:list"), reverse("public:publicity"), reverse("home")):
        shown = banner(client.get(url, follow=True).content.decode())
        assert "紧急风险报告待签收" in shown, url
        assert "集体访苗头" in shown and link in shown and "城关镇" in shown
        assert "其他信访动态" not in shown  # only urgent reports are in the banner

    response = client.post(reverse("oversight:report_acknowledge", args=[urgent.pk]))
    assert response.status_code == 302
    for url in (reverse("cases:list"), reverse("notify:list")):
        body = client.get(url).content.decode()
        assert banner(body) == "" and "紧急风险报告待签收" not in body


def test_banner_is_for_bureau_staff_only(client, agent_cg, head_cg, leader, file_report):
    file_report(agent_cg, urgency="urgent")
    for user in (agent_cg, head_cg, leader):
        client.force_login(user)
        assert banner(client.get(reverse("home"), follow=True).content.decode()) == ""


def test_banner_reads_one_query_and_no_encrypted_column(
    agent_cg, bureau_user, file_report, django_assert_num_queries
):
    for _ in range(3):
        file_report(agent_cg, urgency="urgent")
    with django_assert_num_queries(1) as captured:
        reports = selectors.urgent_unacknowledged()
        assert [r.unit.name for r in reports] == ["城关镇"] * 3
    assert "description" not in captured.captured_queries[0]["sql"]


# --- Over HTTP ----------------------------------------------------------------------------------------------


def test_agent_files_through_the_form_and_sees_the_history(client, agent_cg, make_case):
    case = make_case(agent_cg)
    client.force_login(agent_cg)
    assert client.get(reverse("oversight:report_new")).status_code == 200
    response = client.post(
        reverse("oversight:report_new"),
        {
            "kind": "escalation",
            "urgency": "urgent",
            "happened_on": TODAY.isoformat(),
            "description": "信访人表示不申请复查，要直接去北京。",
            "petitioner_name": "",
            "case": case.pk,
        },
    )
    report = RiskReport.objects.get()
    assert response.status_code == 302 and response.url == reverse("oversight:report", args=[report.pk])
    body = client.get(response.url).content.decode()
    assert "要直接去北京" in body and case.number in body and "报送" in body and "王某某" in body
    assert "签收</button>" not in body  # agents do not acknowledge


def test_the_form_refuses_another_units_case(client, agent_cg, agent_zj, make_case):
    case_cg = make_case(agent_cg)
    client.force_login(agent_zj)
    response = client.post(
        reverse("oversight:report_new"),
        {
            "kind": "escalation",
            "urgency": "urgent",
            "happened_on": TODAY.isoformat(),
            "description": "情况",
            "case": case_cg.pk,
        },
    )
    assert response.status_code == 200
    assert "case" in response.context["form"].errors
    assert "只能关联本单位的代理事项" in response.content.decode()
    assert case_cg.number not in response.content.decode()  # not even offered as a choice
    assert not RiskReport.objects.exists()


def test_bureau_acknowledges_and_records_disposal_over_http(client, agent_cg, bureau_user, file_report):
    report = file_report(agent_cg)
    client.force_login(bureau_user)
    body = client.get(reverse("oversight:report", args=[report.pk])).content.decode()
    assert "签收</button>" in body
    client.post(reverse("oversight:report_acknowledge", args=[report.pk]))
    response = client.post(
        reverse("oversight:report_dispose", args=[report.pk]), {"disposal": "已协调镇政府稳控"}
    )
    assert response.status_code == 302
    body = client.get(reverse("oversight:report", args=[report.pk])).content.decode()
    assert "已协调镇政府稳控" in body and "卢艺" in body and "登记处置情况" in body
    report.refresh_from_db()
    assert report.status == "disposed"
    # Once disposed, the form is not offered again.
    response = client.get(reverse("oversight:report_dispose", args=[report.pk]))
    assert response.status_code == 302


def test_units_see_only_their_own_reports(client, agent_cg, agent_zj, head_cg, bureau_user, file_report):
    report_cg = file_report(agent_cg, description="城关镇的情况")
    report_zj = file_report(agent_zj, description="曾家镇的情况")
    detail = reverse("oversight:report", args=[report_cg.pk])

    client.force_login(agent_zj)
    assert client.get(detail).status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditAction.ACCESS_DENIED, target_type="oversight.RiskReport", target_id=str(report_cg.pk)
    ).exists()
    body = client.get(reverse("oversight:reports")).content.decode()
    assert reverse("oversight:report", args=[report_zj.pk]) in body and detail not in body

    client.force_login(head_cg)
    assert client.get(detail).status_code == 200
    assert client.get(reverse("oversight:report", args=[report_zj.pk])).status_code == 404
    assert client.post(reverse("oversight:report_acknowledge", args=[report_cg.pk])).status_code == 404
    assert client.get(reverse("oversight:report_new")).status_code == 404
    report_cg.refresh_from_db()
    assert report_cg.status == "new"

    client.force_login(bureau_user)
    body = client.get(reverse("oversight:reports")).content.decode()
    assert detail in body and reverse("oversight:report", args=[report_zj.pk]) in body


@pytest.mark.parametrize("persona", ["leader", "auditor"])
def test_others_get_404(client, request, persona, agent_cg, file_report):
    report = file_report(agent_cg)
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("oversight:reports"),
        reverse("oversight:report", args=[report.pk]),
        reverse("oversight:report_new"),
        reverse("oversight:inspections"),
    ):
        assert client.get(url).status_code == 404, url


def test_bureau_filters_by_unit_kind_and_status(client, agent_cg, agent_zj, bureau_user, units, file_report):
    a = file_report(agent_cg, kind="escalation")
    b = file_report(agent_cg, kind="repeated", urgency="normal")
    c = file_report(agent_zj, kind="escalation")
    actions.acknowledge_report(c, by=bureau_user)

    def shown(**params):
        client.force_login(bureau_user)
        response = client.get(reverse("oversight:reports"), params)
        return {r.pk for r in response.context["page"]}

    assert shown() == {a.pk, b.pk, c.pk}
    assert shown(unit=units["zengjia"].pk) == {c.pk}
    assert shown(kind="escalation") == {a.pk, c.pk}
    assert shown(status="new") == {a.pk, b.pk}
    assert shown(status="acknowledged") == {c.pk}
    assert shown(urgency="normal") == {b.pk}


# --- Figures for the dashboard ---------------------------------------------------------------------------------


def test_report_counts_by_unit_and_kind_in_one_query(
    agent_cg, agent_zj, units, file_report, django_assert_num_queries
):
    for kind in ("escalation", "escalation", "extreme", "trend"):
        file_report(agent_cg, kind=kind)
    file_report(agent_zj, kind="collective")
    old = file_report(agent_zj, kind="collective")
    late = file_report(agent_cg, kind="repeated")
    RiskReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    RiskReport.objects.filter(pk=late.pk).update(created_at=timezone.now() + datetime.timedelta(days=3))

    with django_assert_num_queries(1):
        counts = selectors.report_counts(TODAY - datetime.timedelta(days=30), TODAY)
    assert counts == {
        units["chengguan"].pk: {"escalation": 2, "extreme": 1, "trend": 1},
        units["zengjia"].pk: {"collective": 1},
    }
    assert selectors.report_counts(
        TODAY - datetime.timedelta(days=60), TODAY - datetime.timedelta(days=35)
    ) == {units["zengjia"].pk: {"collective": 1}}


def test_report_counts_use_local_days(agent_cg, units, file_report):
    report = file_report(agent_cg, kind="trend")
    # 00:30 in Shanghai is the previous day in UTC: it still counts for the local day.
    local_midnight = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(0, 30)))
    RiskReport.objects.filter(pk=report.pk).update(created_at=local_midnight)
    assert selectors.report_counts(TODAY, TODAY) == {units["chengguan"].pk: {"trend": 1}}
    assert (
        selectors.report_counts(TODAY - datetime.timedelta(days=1), TODAY - datetime.timedelta(days=1)) == {}
    )


def test_the_form_can_start_from_a_case(client, agent_cg, make_case):
    case = make_case(agent_cg)
    client.force_login(agent_cg)
    response = client.get(reverse("oversight:report_new"), {"case": case.pk})
    assert response.context["form"]["case"].value() == case.pk
