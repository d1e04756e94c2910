"""管辖异议 (第二十三条) and the refusals (不予受理 / 不再受理) with their grounds: each through its
rules, its event, its clocks; a refusal is rated and has its 反馈表 like any answer."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.access.rules import Refused
from xinfang.cases import actions, workflow
from xinfang.cases.models import CaseEvent, FileKind, NotAcceptGround
from xinfang.cases.models import CaseStatus as S
from xinfang.cases.tests.factories import new_case, walk
from xinfang.core import files
from xinfang.deadlines.models import CaseDeadline
from xinfang.deadlines.selectors import deadlines_for_case
from xinfang.ratings import actions as ratings
from xinfang.ratings import documents as sheets
from xinfang.ratings import selectors as rating_selectors

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
ACCEPTANCE = {"accept_notice", "competence_objection"}
PDF = files.Checked(content=b"%PDF-1.4\nnotice\n", content_type=files.PDF, name="不予受理告知书.pdf")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def ago(n: int) -> datetime.date:
    return TODAY - n * DAY


def received(agent, *, start: datetime.date, serial: int = 1):
    return walk(new_case(agent, received_on=start, serial=serial), S.RECEIVED, by=agent, start=start)


def running(case) -> dict[str, CaseDeadline]:
    return {d.clock.code: d for d in CaseDeadline.objects.filter(case=case, stopped_on__isnull=True)}


def objection(**more) -> dict:
    return {
        "reason": "农村饮水工程由县水利局主管",
        "handling_body": "镇坪县水利局",
        "mode": "forward",
        **more,
    }


# --- 管辖异议 ---------------------------------------------------------------------------------------


def test_an_objection_forwards_the_matter_and_the_acceptance_clocks_start_again(client, agent_cg):
    case = received(agent_cg, start=ago(10))
    old_body, got_on = case.handling_body, case.body_received_on
    first = running(case)
    assert ACCEPTANCE <= set(first)
    case = actions.take_step(
        case, "object", by=agent_cg, on=got_on + DAY, forwarded_on=got_on + 2 * DAY, **objection()
    )

    assert case.status == S.FORWARDED
    assert (case.handling_body, case.forwarded_on, case.body_received_on) == (
        "镇坪县水利局",
        got_on + 2 * DAY,
        None,
    )
    event = CaseEvent.objects.get(case=case, action="object")
    assert event.on == got_on + DAY and (event.from_status, event.to_status) == (S.RECEIVED, S.FORWARDED)
    assert event.data == {
        "reason": "农村饮水工程由县水利局主管",
        "old_body": old_body,
        "new_body": "镇坪县水利局",
        "mode": "forward",
        "forwarded_on": (got_on + 2 * DAY).isoformat(),
    }
    for code in ACCEPTANCE:
        first[code].refresh_from_db()
        assert (first[code].stopped_on, first[code].stopped_by) == (got_on + DAY, "object")
    assert not ACCEPTANCE & set(running(case))

    # The new body's receipt: not before it was sent there; then both clocks anew.
    with pytest.raises(workflow.TransitionError, match="有权处理机关收到日期不能早于改送日期"):
        actions.take_step(case, "receive", by=agent_cg, on=got_on + DAY)
    case = actions.take_step(case, "receive", by=agent_cg, on=got_on + 3 * DAY)
    again = running(case)
    assert {again[c].started_on for c in ACCEPTANCE} == {got_on + 3 * DAY}
    assert CaseDeadline.objects.filter(case=case, clock__code="accept_notice").count() == 2

    # The history keeps both bodies.
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"原机关：{old_body} → 改送：镇坪县水利局" in page and "有权处理机关提出管辖异议" in page


def test_an_objection_is_refused_to_the_same_body_before_receipt_and_to_others(agent_cg, agent_zj, head_cg):
    case = received(agent_cg, start=ago(10))
    got_on = case.body_received_on
    with pytest.raises(workflow.TransitionError, match="改送的机关与原有权处理机关相同") as same:
        actions.take_step(
            case,
            "object",
            by=agent_cg,
            on=got_on,
            forwarded_on=got_on,
            **objection(handling_body=case.handling_body),
        )
    assert same.value.field == "handling_body"
    with pytest.raises(workflow.TransitionError, match="改送日期不能早于提出异议的日期"):
        actions.take_step(case, "object", by=agent_cg, on=got_on + DAY, forwarded_on=got_on, **objection())
    with pytest.raises(workflow.TransitionError, match="日期不能早于上一环节的日期"):
        actions.take_step(case, "object", by=agent_cg, on=got_on - DAY, forwarded_on=got_on, **objection())
    for other in (agent_zj, head_cg):
        with pytest.raises(Refused):
            actions.take_step(case, "object", by=other, on=got_on, forwarded_on=got_on, **objection())
    accepted = actions.take_step(
        received(agent_cg, start=ago(10), serial=2), "accept", by=agent_cg, on=ago(1)
    )
    with pytest.raises(workflow.TransitionError, match="不能登记管辖异议"):
        actions.take_step(accepted, "object", by=agent_cg, on=TODAY, forwarded_on=TODAY, **objection())
    assert not CaseEvent.objects.filter(action="object").exists()


def test_a_late_objection_is_kept_with_its_window_and_reason(client, agent_cg):
    case = received(agent_cg, start=ago(40))
    window = running(case)["competence_objection"]
    assert window.due_on < ago(2)
    client.force_login(agent_cg)
    url = reverse("cases:step", args=[case.pk, "object"])
    form = {"on": ago(2).isoformat(), "forwarded_on": ago(1).isoformat(), **objection()}
    page = client.post(url, form).content.decode()
    assert "晚于异议期限" in page and "镇坪县水利局" in page  # the form is kept, the reason asked for
    assert client.post(url, {**form, "late_reason": "经县信访局核实同意"}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.FORWARDED and case.late_steps[0]["window_end"] == window.due_on.isoformat()
    assert CaseEvent.objects.get(case=case, action="object").data["late_reason"] == "经县信访局核实同意"


# --- 不予受理 / 不再受理 ---------------------------------------------------------------------------


def test_the_refusal_page_offers_the_grounds_of_the_regulation(client, agent_cg):
    case = received(agent_cg, start=ago(10))
    client.force_login(agent_cg)
    page = client.get(reverse("cases:step", args=[case.pk, "not_accept"])).content.decode()
    assert "不属于本机关、单位或者本系统职权范围（据第二十三条）" in page and "其他理由（请写明）" in page
    page = client.get(reverse("cases:step", args=[case.pk, "not_accept_again"])).content.decode()
    assert "信访人对复核意见不服，仍然以同一事实和理由提出投诉请求（第三十六条）" in page
    # 其他 without its words: the form says so and keeps the day typed.
    url = reverse("cases:step", args=[case.pk, "not_accept"])
    page = client.post(url, {"on": ago(1).isoformat(), "grounds": "other", "reason": " "}).content.decode()
    assert "选择“其他理由”的，请写明理由" in page and ago(1).isoformat() in page
    page = client.post(url, {"on": ago(1).isoformat(), "grounds": "nonsense"}).content.decode()
    assert "请从列出的依据中选择" in page
    assert case.events.filter(action="not_accept").count() == 0


def test_a_refusal_records_its_ground_notice_and_day_and_ends_the_clocks(client, agent_cg):
    case = received(agent_cg, start=ago(20))
    case = actions.take_step(
        case,
        "not_accept",
        by=agent_cg,
        on=ago(1),
        grounds=NotAcceptGround.NOT_COMPETENT,
        reason="",
        document=PDF,
    )
    assert case.status == S.NOT_ACCEPTED and case.delivered_on == case.closed_on == ago(1)
    assert running(case) == {}
    # The objection window ran out before the refusal: no objection came late, it just closed.
    states = {s.deadline.clock.code: s for s in deadlines_for_case(case)}
    assert states["competence_objection"].deadline.due_on < ago(1)
    assert states["competence_objection"].state == "已完成"
    event = CaseEvent.objects.get(case=case, action="not_accept")
    assert event.data["grounds"] == "not_competent" and event.data["document"]
    assert case.files.filter(kind=FileKind.REFUSAL).count() == 1
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "依据：不属于本机关、单位或者本系统职权范围" in page and "书面告知信访人" in page
    assert "不予受理（不再受理）告知书" in page


def test_other_grounds_need_words_in_the_action_too(agent_cg):
    case = received(agent_cg, start=ago(10))
    with pytest.raises(workflow.TransitionError, match="请写明理由") as refused:
        actions.take_step(case, "not_accept_again", by=agent_cg, on=ago(1), grounds="other", reason="")
    assert refused.value.field == "reason"
    with pytest.raises(workflow.TransitionError, match="依据不对"):
        actions.take_step(
            case, "not_accept_again", by=agent_cg, on=ago(1), grounds="not_competent", reason="x"
        )
    case = actions.take_step(
        case, "not_accept_again", by=agent_cg, on=ago(1), grounds="other", reason="重复投诉"
    )
    assert case.status == S.NOT_ACCEPTED_AGAIN


def test_a_refusal_is_rated_and_has_its_feedback_form_like_any_answer(agent_cg):
    case = received(agent_cg, start=ago(10))
    case = actions.take_step(case, "not_accept", by=agent_cg, on=ago(2), grounds="legal_channel", reason="")
    assert ratings.rating_refusal(case) is None and ratings.feedback_refusal(case) is None
    rating = ratings.record_rating(
        case,
        channel="platform",
        by=agent_cg,
        office_satisfaction="satisfied",
        body_satisfaction="unsatisfied",
    )
    assert rating.rated_on == TODAY
    guidance = rating_selectors.rating_guidance(case)
    assert guidance["state"] == "refused" and "不适用复查程序" in guidance["text"]
    data = {
        "documents": "不予受理告知书",
        "document_count": 1,
        "truthful": True,
        "notified_in_time": True,  # 附件2 question 2: 受理、不予受理或不再受理
        "forwarded_in_time": True,
        "agent_rating": "good",
        "office_satisfaction": "satisfied",
        "office_reasons": [],
        "body_satisfaction": "basically",
        "body_reasons": [],
        "delivered_by": "张某某、刘某某",
        "delivered_at": ago(3),
        "petitioner_signed": False,
    }
    with pytest.raises(ratings.RatingError, match="送达时间不能早于书面告知信访人的日期"):
        ratings.save_feedback_form(case, by=agent_cg, data=data)
    form = ratings.save_feedback_form(case, by=agent_cg, data={**data, "delivered_at": ago(2)})
    assert form.case_id == case.pk
    sheet = sheets.feedback_sheet(case, form)
    opening = "".join(text for text, _ in sheet.opening)
    assert f"于{ago(2).year}年{ago(2).month}月{ago(2).day}日办结" in opening
