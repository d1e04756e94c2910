"""复查意见送达, 听证 and late requests (《信访工作条例》第三十五条、第三十六条), each through its
rules: allowed, refused, its event, and the clocks it starts, stops, moves."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xinfang.access.rules import Refused
from xinfang.cases import actions, hooks, selectors, workflow
from xinfang.cases.models import CaseEvent
from xinfang.cases.models import CaseStatus as S
from xinfang.cases.steps import STEPS
from xinfang.cases.tests.factories import new_case, walk
from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import on_case_step, update_clock
from xinfang.deadlines.compute import due_date
from xinfang.deadlines.models import CaseDeadline, Clock
from xinfang.deadlines.selectors import deadlines_for_case

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def ago(n: int) -> datetime.date:
    return TODAY - n * DAY


def case_at(agent, status: str, *, start: datetime.date, serial: int = 1):
    """A case walked to ``status``, one step a day from the day after ``start``."""
    return walk(new_case(agent, received_on=start, serial=serial), status, by=agent, start=start)


def running(case, code: str) -> CaseDeadline | None:
    return CaseDeadline.objects.filter(case=case, clock__code=code, stopped_on__isnull=True).first()


def calendar():
    return official.load()


# --- 复查意见送达: the 复核 window from the petitioner's receipt ---------------------------------------


def test_the_re_review_window_starts_when_the_review_opinion_is_delivered(agent_cg):
    case = case_at(agent_cg, S.REVIEWED, start=ago(30))
    review_on = CaseEvent.objects.get(case=case, action="review").on
    assert running(case, "re_review_request") is None  # not from the opinion's date
    delivered = review_on + 3 * DAY
    case = actions.take_step(case, "deliver_review", by=agent_cg, on=delivered)

    assert case.status == S.REVIEWED and case.review_delivered_on == delivered
    window = running(case, "re_review_request")
    assert (window.started_on, window.started_by) == (delivered, "deliver_review")
    assert window.due_on == due_date(delivered, 30, "calendar", calendar()).due_on
    event = CaseEvent.objects.get(case=case, action="deliver_review")
    assert (event.on, event.label, event.from_status, event.to_status) == (
        delivered,
        "复查意见送达信访人",
        S.REVIEWED,
        S.REVIEWED,
    )


def test_delivery_is_recorded_once_and_its_button_goes(client, agent_cg):
    case = case_at(agent_cg, S.REVIEWED, start=ago(30))
    client.force_login(agent_cg)
    url = reverse("cases:step", args=[case.pk, "deliver_review"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{url}">登记复查意见送达</a>' in page
    assert client.post(url, {"on": ago(5).isoformat()}).status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{url}"' not in page and "复查意见送达" in page
    assert "登记申请复核" in page
    with pytest.raises(workflow.TransitionError, match="该事项已登记复查意见送达，不能重复登记"):
        actions.take_step(case, "deliver_review", by=agent_cg, on=ago(4))
    assert CaseEvent.objects.filter(case=case, action="deliver_review").count() == 1


def test_delivery_is_refused_before_the_opinion_elsewhere_and_to_others(agent_cg, agent_zj, head_cg):
    case = case_at(agent_cg, S.REVIEWED, start=ago(30))
    review_on = CaseEvent.objects.get(case=case, action="review").on
    with pytest.raises(workflow.TransitionError, match="复查意见送达日期不能早于上一环节的日期"):
        actions.take_step(case, "deliver_review", by=agent_cg, on=review_on - DAY)
    for other in (agent_zj, head_cg):
        with pytest.raises(Refused):
            actions.take_step(case, "deliver_review", by=other, on=review_on)
    requested = case_at(agent_cg, S.REVIEW_REQUESTED, start=ago(30), serial=2)
    with pytest.raises(workflow.TransitionError, match="不能登记复查意见送达"):
        actions.take_step(requested, "deliver_review", by=agent_cg, on=TODAY)
    assert not CaseEvent.objects.filter(action="deliver_review").exists()


def test_a_window_running_from_the_opinion_before_the_upgrade_starts_again_at_delivery(agent_cg):
    """Before the step existed, the 复核 window ran from the 复查意见's date; the migration keeps
    such a window running, and recording the delivery starts it again from the receipt."""
    case = case_at(agent_cg, S.REVIEWED, start=ago(30))
    review_on = CaseEvent.objects.get(case=case, action="review").on
    clock = Clock.objects.get(code="re_review_request")
    legacy = CaseDeadline.objects.create(
        case=case,
        clock=clock,
        length=30,
        day_count="calendar",
        started_on=review_on,
        started_by="review",
        due_on=review_on + 30 * DAY,
    )
    actions.take_step(case, "deliver_review", by=agent_cg, on=review_on + 2 * DAY)
    legacy.refresh_from_db()
    assert (legacy.stopped_on, legacy.stopped_by) == (review_on + 2 * DAY, "deliver_review")
    states = {s.deadline.pk: s.state for s in deadlines_for_case(case)}
    assert states[legacy.pk] == "已重新起算"
    assert running(case, "re_review_request").started_on == review_on + 2 * DAY


# --- 听证: its days are not counted in the 复核 clock ---------------------------------------------


def test_a_hearing_moves_the_re_review_due_date_by_its_days(client, agent_cg):
    case = case_at(agent_cg, S.RE_REVIEW_REQUESTED, start=ago(20))
    clock = running(case, "re_review_opinion")
    before = clock.due_on
    first, last = ago(5), ago(3)
    case = actions.take_step(case, "hear", by=agent_cg, on=first, ended_on=last)

    assert case.status == S.RE_REVIEW_REQUESTED
    clock.refresh_from_db()
    assert clock.pauses == [{"from": first.isoformat(), "to": last.isoformat(), "reason": "举行听证"}]
    assert clock.due_on == due_date(clock.started_on, 30 + 3, "calendar", calendar()).due_on
    assert clock.due_on > before
    event = CaseEvent.objects.get(case=case, action="hear")
    assert (event.on, event.data) == (first, {"ended_on": last.isoformat()})
    [state] = [s for s in deadlines_for_case(case) if s.deadline.pk == clock.pk]
    assert state.pause.days == 3 and state.pause.periods == (("举行听证", first, last),)

    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "不计入期限：举行听证" in page and "届满日顺延3日" in page and "听证所需时间不计算在期限内" in page


def test_a_hearing_on_a_workday_clock_counts_its_workdays(agent_cg, bureau_user):
    update_clock(Clock.objects.get(code="re_review_opinion"), by=bureau_user, day_count="workdays", length=20)
    case = case_at(agent_cg, S.RE_REVIEW_REQUESTED, start=ago(20))
    clock = running(case, "re_review_opinion")
    first, last = ago(9), ago(2)  # eight days, of which the workdays count
    actions.take_step(case, "hear", by=agent_cg, on=first, ended_on=last)
    clock.refresh_from_db()
    cal = calendar()
    # The request's own day is never counted, so a hearing that day moves nothing.
    days = [first + n * DAY for n in range(8)]
    workdays = sum(1 for d in days if d > clock.started_on and cal.is_workday(d))
    assert clock.due_on == due_date(clock.started_on, 20 + workdays, "workdays", cal).due_on
    assert deadlines_for_case(case)[-1].pause.unit == "个工作日"


def test_hearing_rules(agent_cg, agent_zj):
    case = case_at(agent_cg, S.RE_REVIEW_REQUESTED, start=ago(20))
    with pytest.raises(workflow.TransitionError, match="听证结束日期不能早于听证开始日期"):
        actions.take_step(case, "hear", by=agent_cg, on=ago(3), ended_on=ago(4))
    with pytest.raises(workflow.TransitionError, match="听证结束日期不能晚于今天"):
        actions.take_step(case, "hear", by=agent_cg, on=ago(3), ended_on=TODAY + DAY)
    with pytest.raises(Refused):
        actions.take_step(case, "hear", by=agent_zj, on=ago(3), ended_on=ago(3))
    reviewed = case_at(agent_cg, S.REVIEWED, start=ago(20), serial=2)
    with pytest.raises(workflow.TransitionError, match="不能登记听证"):
        actions.take_step(reviewed, "hear", by=agent_cg, on=ago(3), ended_on=ago(3))
    assert not CaseEvent.objects.filter(action="hear").exists()
    # Two hearings: both periods left out; the 复核意见 not before the last one ended.
    actions.take_step(case, "hear", by=agent_cg, on=ago(6), ended_on=ago(6))
    actions.take_step(case, "hear", by=agent_cg, on=ago(4), ended_on=ago(2))
    assert len(running(case, "re_review_opinion").pauses) == 2
    with pytest.raises(workflow.TransitionError, match="复核意见日期不能早于听证结束日期"):
        actions.take_step(case, "re_review", by=agent_cg, on=ago(3), outcome="uphold")
    case = actions.take_step(case, "re_review", by=agent_cg, on=ago(1), outcome="uphold")
    assert case.status == S.RE_REVIEWED and running(case, "re_review_opinion") is None


def test_a_hearing_after_the_clock_ran_out_moves_nothing(agent_cg):
    case = case_at(agent_cg, S.RE_REVIEW_REQUESTED, start=ago(60))
    clock = running(case, "re_review_opinion")
    assert clock.due_on < ago(3)
    before = clock.due_on
    actions.take_step(case, "hear", by=agent_cg, on=ago(3), ended_on=ago(2))
    clock.refresh_from_db()
    assert clock.due_on == before and deadlines_for_case(case)[-1].pause.days == 0


def test_the_hearing_form_keeps_what_was_typed(client, agent_cg):
    case = case_at(agent_cg, S.RE_REVIEW_REQUESTED, start=ago(20))
    client.force_login(agent_cg)
    url = reverse("cases:step", args=[case.pk, "hear"])
    page = client.get(url).content.decode()
    assert "听证所需时间不计算在复核期限内" in page and "听证开始日期" in page
    page = client.post(url, {"on": ago(2).isoformat(), "ended_on": ago(4).isoformat()}).content.decode()
    assert "听证结束日期不能早于开始日期" in page and ago(2).isoformat() in page
    assert not CaseEvent.objects.filter(action="hear").exists()


# --- Late requests -------------------------------------------------------------------------------


def test_a_late_review_request_needs_a_reason_and_is_marked(client, agent_cg):
    case = case_at(agent_cg, S.DELIVERED, start=ago(80))
    window = running(case, "review_request")
    assert window.due_on < ago(1)
    with pytest.raises(workflow.TransitionError, match="晚于期限") as refused:
        actions.take_step(case, "request_review", by=agent_cg, on=ago(1), reviewing_body="县政府")
    assert refused.value.field == "late_reason"
    assert not CaseEvent.objects.filter(case=case, action="request_review").exists()

    case = actions.take_step(
        case, "request_review", by=agent_cg, on=ago(1), reviewing_body="县政府", late_reason="信访人住院治疗"
    )
    assert case.status == S.REVIEW_REQUESTED
    event = CaseEvent.objects.get(case=case, action="request_review")
    assert event.data == {
        "reviewing_body": "县政府",
        "window_end": window.due_on.isoformat(),
        "late_reason": "信访人住院治疗",
    }
    assert case.late_steps == [
        {"step": "request_review", "window_end": window.due_on.isoformat(), "reason": "信访人住院治疗"}
    ]
    window.refresh_from_db()
    assert (window.stopped_on, window.stopped_by) == (ago(1), "request_review")
    assert {s.deadline.pk: s.state for s in deadlines_for_case(case)}[window.pk] == "逾期提出"
    assert running(case, "review_opinion") is not None  # the 复查 clock runs all the same

    # Shown on the case, in the ledger and in its Excel.
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "逾期提出" in page and "逾期理由：信访人住院治疗" in page
    assert f"{window.due_on.year}年{window.due_on.month}月{window.due_on.day}日届满" in page
    ledger = client.get(reverse("cases:list")).content.decode()
    assert "badge-late" in ledger
    sheet = load_workbook(io.BytesIO(b"".join(client.get(reverse("cases:export")).streaming_content))).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("逾期提出")] == f"申请复查（期限{window.due_on:%Y-%m-%d}届满，信访人住院治疗）"


def test_a_request_in_time_is_not_marked(agent_cg):
    case = case_at(agent_cg, S.DELIVERED, start=ago(20))
    case = actions.take_step(
        case, "request_review", by=agent_cg, on=ago(1), reviewing_body="县政府", late_reason="（不需要）"
    )
    assert case.late_steps == []
    assert CaseEvent.objects.get(case=case, action="request_review").data == {"reviewing_body": "县政府"}
    assert selectors.late_steps(case) == []


def test_a_late_re_review_request_counts_from_the_delivery_of_the_review(client, agent_cg):
    case = case_at(agent_cg, S.REVIEWED, start=ago(90))
    review_on = CaseEvent.objects.get(case=case, action="review").on
    # Delivered late: the window counted from the opinion would have closed, from receipt it has not.
    delivered = TODAY - 20 * DAY
    assert review_on + 30 * DAY < TODAY - DAY
    case = actions.take_step(case, "deliver_review", by=agent_cg, on=delivered)
    case = actions.take_step(case, "request_re_review", by=agent_cg, on=ago(1), reviewing_body="市政府")
    assert case.late_steps == []

    late = case_at(agent_cg, S.REVIEWED, start=ago(90), serial=2)
    late = actions.take_step(late, "deliver_review", by=agent_cg, on=ago(50))
    client.force_login(agent_cg)
    url = reverse("cases:step", args=[late.pk, "request_re_review"])
    window_end = running(late, "re_review_request").due_on
    page = client.get(url).content.decode()
    assert f"申请期限于{window_end.year}年{window_end.month}月{window_end.day}日届满" in page
    posted = {"on": ago(1).isoformat(), "reviewing_body": "安康市人民政府"}
    page = client.post(url, posted).content.decode()
    assert "晚于申请期限" in page and "请写明逾期理由" in page and "安康市人民政府" in page
    assert late.events.filter(action="request_re_review").count() == 0
    response = client.post(url, {**posted, "late_reason": "复查意见书寄错地址，信访人迟收"})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.late_steps[0]["step"] == "request_re_review" and late.status == S.RE_REVIEW_REQUESTED


# --- Property: the 复核 window counts from the receipt ----------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    opinion=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2026, 6, 30)),
    delay=st.integers(min_value=0, max_value=60),
    asked=st.integers(min_value=0, max_value=90),
)
def test_the_re_review_window_counts_from_the_receipt_whatever_the_days(
    agent_cg, make_case, opinion, delay, asked
):
    """For any opinion, delivery and request: the window ends 30 days (as counted) after the
    receipt, never before the end counted from the opinion, and a request is marked late exactly
    when it comes after that end."""
    case = make_case(agent_cg)
    received = opinion + delay * DAY
    on_case_step(case, action="review", on=opinion, by=agent_cg)
    assert hooks.window_end(case, "re_review_request") is None
    on_case_step(case, action="deliver_review", on=received, by=agent_cg)
    end = hooks.window_end(case, "re_review_request")
    cal = calendar()
    assert end == due_date(received, 30, "calendar", cal).due_on
    assert end >= due_date(opinion, 30, "calendar", cal).due_on
    asked_on = received + asked * DAY
    step = STEPS["request_re_review"]
    if asked_on > end:
        with pytest.raises(workflow.TransitionError, match="晚于期限"):
            actions._late(case, step, on=asked_on, late_reason="")
    mark = actions._late(case, step, on=asked_on, late_reason="迟收")
    assert bool(mark) == (asked_on > end)
    assert not mark or mark == {"window_end": end.isoformat(), "late_reason": "迟收"}
