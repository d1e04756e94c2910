"""The calculator, the calendar and the clocks pages, over HTTP, with their permission checks."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import CaseEvent, CaseStatus
from xinfang.cases.tests.factories import new_case, walk
from xinfang.deadlines.actions import on_case_step
from xinfang.deadlines.models import CalendarDay, CalendarYear, CaseDeadline, Clock

D = datetime.date
pytestmark = pytest.mark.usefixtures("official_calendar")


@pytest.fixture
def bureau_client(client, bureau_user):
    client.force_login(bureau_user)
    return client


@pytest.fixture
def agent_client(client, agent_cg):
    client.force_login(agent_cg)
    return client


def text(response) -> str:
    return response.content.decode()


def csv_file(content: str, name: str = "2027.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(encoding), content_type="text/csv")


# --- Permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["deadlines:calendar", "deadlines:clocks", "deadlines:calendar_template"])
def test_agents_do_not_see_the_bureau_pages(agent_client, name):
    response = agent_client.get(reverse(name))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, target_id=name).exists()


def test_agents_cannot_edit_a_clock(agent_client):
    clock = Clock.objects.get(code="conclude")
    assert (
        agent_client.post(reverse("deadlines:clock_edit", args=[clock.pk]), {"length": 1}).status_code == 404
    )
    assert Clock.objects.get(code="conclude").length == 60


def test_leader_has_no_calculator(client, leader):
    client.force_login(leader)
    assert client.get(reverse("deadlines:calculator")).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("deadlines:calculator"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Calculator ----------------------------------------------------------------------------------


def test_calculator_explains_the_days_skipped(agent_client):
    response = agent_client.get(
        reverse("deadlines:calculator"), {"start": "2026-09-20", "length": "15", "day_count": "calendar"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "2026-10-08" in page
    assert "2026-10-05（星期一）法定节假日（国庆节），期限顺延" in page
    assert "当日不计入" in page


def test_calculator_counts_make_up_workdays(agent_client):
    page = text(
        agent_client.get(
            reverse("deadlines:calculator"), {"start": "2026-09-28", "length": "5", "day_count": "workdays"}
        )
    )
    assert "2026-10-10" in page
    assert "调休上班日（国庆节调休），计为工作日" in page


def test_calculator_marks_a_provisional_date(bureau_client):
    page = text(
        bureau_client.get(
            reverse("deadlines:calculator"), {"start": "2026-12-20", "length": "15", "day_count": "calendar"}
        )
    )
    assert "2027-01-04" in page
    assert "暂定" in page and "2027年的法定节假日安排尚未录入" in page


def test_calculator_bad_input_is_a_message_not_an_error_page(agent_client):
    response = agent_client.get(
        reverse("deadlines:calculator"), {"start": "2026-02-30", "length": "-1", "day_count": "calendar"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "请按 2026-09-30 的格式填写日期" in page and "天数不能为负数" in page


# --- Calendar ------------------------------------------------------------------------------------


def test_calendar_shows_a_year(bureau_client):
    response = bureau_client.get(reverse("deadlines:calendar"), {"year": "2026"})
    page = text(response)
    assert response.status_code == 200
    assert "2026-10-10" in page and "国庆节调休" in page and "抗战" not in page
    assert "2004" in page and "国务院办公厅历年节假日安排（系统预置）" in page
    assert "chinesecalendar" not in page
    # The form to correct the shown year is filled with what is stored.
    assert "2026-01-01 元旦" in page


def test_entering_a_year_on_the_page_recomputes_and_says_how_many(
    bureau_client, agent_cg, bureau_user, make_case
):
    case = make_case(agent_cg)
    on_case_step(case, action="submit", on=D(2026, 12, 17), by=agent_cg)  # provisional: Fri 2027-01-01
    response = bureau_client.post(
        reverse("deadlines:calendar"),
        {
            "form": "text",
            "year": "2027",
            "source": "国务院办公厅关于2027年部分节假日安排的通知",
            "holidays": "2027-01-01 元旦\n2027-02-05至2027-02-11 春节\n",
            "workdays": "2027-02-20 春节调休",
        },
        follow=True,
    )
    page = text(response)
    assert response.redirect_chain[-1][0].endswith("?year=2027")
    assert "已保存2027年的节假日安排：放假8天，调休上班1天" in page
    assert "1个在办事项的期限已按新日历重新计算" in page
    assert CalendarDay.objects.filter(date__year=2027).count() == 9
    year = CalendarYear.objects.get(year=2027)
    assert year.source.endswith("（页面录入）") and year.entered_by == bureau_user
    deadline = CaseDeadline.objects.get(case=case)
    assert (deadline.due_on, deadline.provisional) == (D(2027, 1, 4), False)
    assert CaseEvent.objects.filter(case=case, action="deadline_recomputed").count() == 1
    # The case's history says it in words and Chinese dates, never in codes.
    history = text(bureau_client.get(reverse("cases:detail", args=[case.pk])))
    assert "转送交办期限：届满日由2027年1月1日改为2027年1月4日" in history
    assert "forward" not in history and "2027-01-04" not in history
    assert (
        AuditEntry.objects.filter(action=AuditAction.POLICY, target_type="deadlines.CalendarYear").count()
        == 1
    )


def test_a_bad_line_is_named_and_nothing_typed_is_lost(bureau_client):
    typed = "2027-01-01 元旦\n2027-13-01 春节\n春节 2027-02-06"
    response = bureau_client.post(
        reverse("deadlines:calendar"),
        {
            "form": "text",
            "year": "2027",
            "holidays": typed,
            "workdays": "2027-02-08 春节调休",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert "放假日期第2行“2027-13-01 春节”：没有 2027年13月1日 这一天" in page
    assert "放假日期第3行“春节 2027-02-06”：应以日期开头" in page
    assert "2027-13-01 春节" in page and "2027-02-08 春节调休" in page  # still in the form
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_schedule_rules_are_shown_on_the_form(bureau_client):
    response = bureau_client.post(
        reverse("deadlines:calendar"),
        {
            "form": "text",
            "year": "2027",
            "holidays": "2027-01-01 元旦",
            "workdays": "2027-02-08 春节调休",
        },
    )
    page = text(response)
    assert "2027-02-08（星期一） 本来就是工作日" in page
    assert "2027-02-08 春节调休" in page
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_upload_a_small_csv(bureau_client):
    content = "日期,类别,名称\n2027-01-01,放假,元旦\n2027-01-02,放假,元旦\n2027-01-03,放假,元旦\n2027-02-07,上班,春节调休\n"
    response = bureau_client.post(
        reverse("deadlines:calendar"),
        {
            "form": "upload",
            "year": "",
            "source": "",
            "file": csv_file(content),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    days = dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind"))
    assert days == {
        D(2027, 1, 1): "holiday",
        D(2027, 1, 2): "holiday",
        D(2027, 1, 3): "holiday",
        D(2027, 2, 7): "workday",
    }
    assert CalendarYear.objects.get(year=2027).source.endswith("（上传文件）")


def test_upload_a_gbk_csv_saved_by_excel(bureau_client):
    content = "日期,类别,名称\r\n2027/1/1,放假,元旦\r\n"
    response = bureau_client.post(
        reverse("deadlines:calendar"),
        {
            "form": "upload",
            "year": "2027",
            "file": csv_file(content, encoding="gbk"),
        },
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(2027, 1, 1)).name == "元旦"


def test_upload_an_xlsx(bureau_client):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类别", "名称"])
    sheet.append([datetime.datetime(2027, 1, 1), "放假", "元旦"])
    sheet.append(["2027-02-07", "上班", "春节调休"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("2027.xlsx", out.getvalue(), content_type="application/octet-stream")
    response = bureau_client.post(
        reverse("deadlines:calendar"), {"form": "upload", "year": "", "file": upload}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 2


def test_upload_errors_name_the_row(bureau_client):
    content = "日期,类别,名称\n2027-01-01,放假,元旦\n2027-01-02,休假吧,元旦\n"
    response = bureau_client.post(
        reverse("deadlines:calendar"), {"form": "upload", "year": "", "file": csv_file(content)}
    )
    page = text(response)
    assert response.status_code == 200
    assert "第3行“2027-01-02，休假吧，元旦”：类别应填“放假”或“上班”" in page
    assert "请重新选择文件" in page
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_template_download(bureau_client):
    response = bureau_client.get(reverse("deadlines:calendar_template"), {"year": "2026"})
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    lines = body.splitlines()
    assert lines[0] == "日期,类别,名称"
    assert "2026-10-10,上班,国庆节调休" in lines
    empty = bureau_client.get(reverse("deadlines:calendar_template"), {"year": "2030"}).content.decode(
        "utf-8-sig"
    )
    assert empty.splitlines() == ["日期,类别,名称", "2030-01-01,放假,元旦"]


def test_nav_link_for_bureau(bureau_client):
    page = text(bureau_client.get(reverse("deadlines:calendar")))
    assert re.search(r'href="/deadlines/calendar/"\s+aria-current="page"', page)


# --- Clocks --------------------------------------------------------------------------------------


def test_clocks_page_lists_the_clocks(bureau_client):
    page = text(bureau_client.get(reverse("deadlines:clocks")))
    for name in ("转送交办", "受理告知", "管辖异议", "办结", "申请复查", "复查意见", "申请复核", "复核意见"):
        assert name in page
    assert "5个工作日" in page and "听证时间不计算在内" in page
    # Clocks and steps are named, never shown by their codes.
    shown = re.sub(r"<[^>]*>", " ", page)
    for code in ("forward", "accept_notice", "competence_objection", "conclude", "review_request"):
        assert code not in shown


def test_editing_a_clock_is_logged_and_running_cases_keep_their_dates(bureau_client, agent_cg, make_case):
    case = make_case(agent_cg)
    on_case_step(case, action="accept", on=D(2026, 8, 1), by=agent_cg)
    clock = Clock.objects.get(code="conclude")
    url = reverse("deadlines:clock_edit", args=[clock.pk])
    page = text(bureau_client.get(url))
    assert "正在计算的期限保持起算时的长度" in page or "已经在计算的期限保持起算时的长度" in page
    response = bureau_client.post(
        url,
        {
            "name": "办结",
            "start_action": "accept",
            "stop_actions": ["conclude"],
            "length": "90",
            "day_count": "calendar",
            "kind": "deadline",
            "legal_basis": "《信访工作条例》第34条",
            "petition_types": ["claim"],
            "active": "on",
            "sort_order": "40",
        },
        follow=True,
    )
    assert "正在计算的期限仍按原来的长度" in text(response)
    assert Clock.objects.get(pk=clock.pk).length == 90
    assert CaseDeadline.objects.get(case=case).due_on == D(2026, 9, 30)
    [log] = AuditEntry.objects.filter(action=AuditAction.POLICY, target_type="deadlines.Clock")
    assert log.detail["fields"] == {"length": {"old": 60, "new": 90}}


def test_clock_form_errors_keep_what_was_typed(bureau_client):
    clock = Clock.objects.get(code="conclude")
    response = bureau_client.post(
        reverse("deadlines:clock_edit", args=[clock.pk]),
        {
            "name": "办结（改）",
            "start_action": "accept",
            "stop_actions": ["accept"],
            "length": "0",
            "day_count": "calendar",
            "kind": "deadline",
            "legal_basis": "第34条",
            "sort_order": "40",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert "终止环节不能与起算环节相同" in page and "至少1天" in page
    assert "办结（改）" in page
    assert "至少选择一种信访类型" in page  # none ticked: the form says so, and keeps the rest
    assert Clock.objects.get(pk=clock.pk).name == "办结"


def test_the_clocks_page_says_which_kinds_of_matter_and_edits_them(bureau_client, agent_cg, make_case):
    page = text(bureau_client.get(reverse("deadlines:clocks")))
    assert "适用类型" in page and "申诉求决类" in page and "各类信访事项" in page
    clock = Clock.objects.get(code="conclude")
    start = timezone.localdate() - datetime.timedelta(days=30)
    suggestion = new_case(agent_cg, received_on=start, serial=2, petition_type="suggestion")
    suggestion = walk(suggestion, CaseStatus.ACCEPTED, by=agent_cg, start=start)
    assert not CaseDeadline.objects.filter(case=suggestion, clock=clock).exists()
    form = text(bureau_client.get(reverse("deadlines:clock_edit", args=[clock.pk])))
    assert "适用的信访类型" in form and "第三十一条第六项" in form
    data = {
        "name": "办结",
        "start_action": "accept",
        "stop_actions": ["conclude"],
        "length": "60",
        "day_count": "calendar",
        "kind": "deadline",
        "legal_basis": "《信访工作条例》第34条",
        "petition_types": ["claim", "suggestion"],
        "active": "on",
        "sort_order": "40",
    }
    response = bureau_client.post(reverse("deadlines:clock_edit", args=[clock.pk]), data, follow=True)
    assert "适用的信访类型已改变" in text(response)
    added = CaseDeadline.objects.get(case=suggestion, clock=clock)
    assert added.started_on == suggestion.accepted_on and added.stopped_on is None
    event = CaseEvent.objects.get(case=suggestion, action="deadline_applied")
    assert event.data["due"] == added.due_on.isoformat() and "建议意见类" in event.data["reason"]


def test_the_clocks_page_offers_to_withdraw_clocks_that_no_longer_apply(
    bureau_client, bureau_user, agent_cg, make_case
):
    """After the upgrade, a 办结 clock already running on a 建议意见类 case is flagged, and staff
    withdraw it with one click (the migration leaves it: it has no user to write the event)."""
    case = make_case(agent_cg, petition_type="suggestion")
    clock = Clock.objects.get(code="conclude")
    Clock.objects.filter(pk=clock.pk).update(petition_types="suggestion,accusation,claim")
    on_case_step(case, action="accept", on=D(2026, 8, 1), by=agent_cg)
    Clock.objects.filter(pk=clock.pk).update(petition_types="claim")
    page = text(bureau_client.get(reverse("deadlines:clocks")))
    assert "1件在办事项的类型不适用该期限" in page
    url = reverse("deadlines:clock_apply", args=[clock.pk])
    bureau_client.force_login(agent_cg)
    assert bureau_client.post(url).status_code == 404  # bureau staff only
    assert CaseDeadline.objects.filter(case=case).exists()
    bureau_client.force_login(bureau_user)
    response = bureau_client.post(url, follow=True)
    assert "撤销1件事项的该期限" in text(response)
    assert not CaseDeadline.objects.filter(case=case).exists()
    assert CaseEvent.objects.get(case=case, action="deadline_withdrawn").data["due"] == "2026-09-30"
    assert "类型不适用" not in text(bureau_client.get(reverse("deadlines:clocks")))
    log = AuditEntry.objects.filter(action=AuditAction.POLICY, target_type="deadlines.Clock").latest("id")
    assert log.detail["change"] == "clock_kinds_applied" and log.detail["cases_withdrawn"] == 1
