"""The case's legal life after submission: each step allowed, refused, recorded, and its clocks."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.cases import actions, selectors, workflow
from xinfang.cases.models import CaseStatus as S
from xinfang.core import files
from xinfang.deadlines.models import CaseDeadline
from xinfang.reference.models import SubmissionPlatform

PDF = files.Checked(content=b"%PDF-1.4\nreply\n", content_type=files.PDF, name="答复意见书.pdf")
TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    """A date n days after the case was received (received 100 days ago)."""
    return TODAY - datetime.timedelta(days=100) + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def submitted(agent_cg, make_case):
    """A case received 100 days ago, authorized the same day, submitted the day after."""
    case = make_case(agent_cg, received_on=day(0))
    actions.accept_scope(case, by=agent_cg)
    actions.record_authorization(case, by=agent_cg, mode="signed", on=day(0), scan=PDF)
    submitted_at = timezone.make_aware(datetime.datetime.combine(day(1), datetime.time(10)))
    return actions.record_submission(
        case,
        by=agent_cg,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="pw-1",
        query_code="Q1",
        on=submitted_at,
    )


def open_clocks(case) -> dict[str, datetime.date]:
    return {d.clock.code: d.due_on for d in CaseDeadline.objects.filter(case=case, stopped_on=None)}


def test_submission_starts_the_forwarding_clock(submitted):
    deadline = CaseDeadline.objects.get(case=submitted, clock__code="forward")
    assert deadline.started_on == day(1) and deadline.stopped_on is None
    assert deadline.due_on >= day(16)  # 15 days, moved on past a rest day if it ends on one


def test_the_whole_life_to_re_review(agent_cg, submitted):
    case = actions.take_step(
        submitted, "forward", by=agent_cg, on=day(3), mode="assign", handling_body="县住建局"
    )
    assert case.status == S.FORWARDED and "forward" not in open_clocks(case)
    case = actions.take_step(case, "receive", by=agent_cg, on=day(5))
    assert {"accept_notice", "competence_objection"} <= set(open_clocks(case))
    case = actions.take_step(case, "accept", by=agent_cg, on=day(10))
    assert set(open_clocks(case)) == {"conclude"}
    due_before = open_clocks(case)["conclude"]
    case = actions.take_step(
        case,
        "extend",
        by=agent_cg,
        on=day(20),
        days=30,
        approver="张局长",
        reason="需现场勘验",
        told_on=day(21),
    )
    assert case.status == S.ACCEPTED
    assert open_clocks(case)["conclude"] >= due_before + datetime.timedelta(days=30)
    with pytest.raises(workflow.TransitionError, match="已经延期一次"):
        actions.take_step(
            case, "extend", by=agent_cg, on=day(22), days=5, approver="张局长", reason="再延", told_on=day(22)
        )
    case = actions.take_step(case, "conclude", by=agent_cg, on=day(40), opinion="explain", document=PDF)
    assert case.concluded_on == day(40) and case.files.filter(kind="reply").exists()
    case = actions.take_step(case, "deliver", by=agent_cg, on=day(42))
    assert "review_request" in open_clocks(case)  # the petitioner's window; never 'overdue'
    case = actions.take_step(case, "request_review", by=agent_cg, on=day(50), reviewing_body="县政府")
    assert "review_opinion" in open_clocks(case)
    case = actions.take_step(case, "review", by=agent_cg, on=day(60), outcome="uphold")
    case = actions.take_step(case, "request_re_review", by=agent_cg, on=day(65), reviewing_body="市政府")
    case = actions.take_step(case, "re_review", by=agent_cg, on=day(80), outcome="uphold")
    assert case.status == S.RE_REVIEWED and case.closed_on == day(80)
    assert open_clocks(case) == {}
    assert [e.action for e in case.events.all()][-11:] == [
        "submit",
        "forward",
        "receive",
        "accept",
        "extend",
        "conclude",
        "deliver",
        "request_review",
        "review",
        "request_re_review",
        "re_review",
    ]
    event = case.events.get(action="accept")
    assert (event.on, event.from_status, event.to_status, event.by) == (
        day(10),
        S.RECEIVED,
        S.ACCEPTED,
        agent_cg,
    )
    for name in (*workflow.HANDLING_STEPS, "follow_up"):
        assert not workflow.allows(case.status, name), name


def test_refused_steps_change_nothing(agent_cg, submitted):
    with pytest.raises(workflow.TransitionError, match="不能登记受理"):
        actions.take_step(submitted, "accept", by=agent_cg, on=day(5))
    with pytest.raises(workflow.TransitionError, match="不能登记办结"):
        actions.take_step(submitted, "conclude", by=agent_cg, on=day(5), opinion="support", document=PDF)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not submitted.events.filter(action__in=("accept", "conclude")).exists()


def test_dates_before_the_previous_step_or_in_the_future_are_refused(agent_cg, submitted):
    with pytest.raises(workflow.TransitionError, match="不能早于上一环节的日期"):
        actions.take_step(
            submitted, "forward", by=agent_cg, on=day(0), mode="forward", handling_body="县住建局"
        )
    with pytest.raises(workflow.TransitionError, match="不能晚于今天"):
        actions.take_step(
            submitted,
            "forward",
            by=agent_cg,
            on=TODAY + datetime.timedelta(days=1),
            mode="forward",
            handling_body="县住建局",
        )
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_not_accepted_is_final_and_stops_the_clocks(agent_cg, submitted):
    case = actions.take_step(
        submitted, "forward", by=agent_cg, on=day(3), mode="forward", handling_body="县住建局"
    )
    case = actions.take_step(case, "receive", by=agent_cg, on=day(4))
    case = actions.take_step(case, "not_accept_again", by=agent_cg, on=day(9), reason="已通过诉讼解决")
    assert case.status == S.NOT_ACCEPTED_AGAIN and case.closed_on == day(9)
    assert open_clocks(case) == {}
    assert workflow.available(case.status) == []


def test_withdrawn_case_takes_no_more_actions(agent_cg, submitted):
    case = actions.take_step(submitted, "withdraw", by=agent_cg, on=day(4), reason="信访人与对方和解")
    assert case.status == S.WITHDRAWN and open_clocks(case) == {}
    with pytest.raises(workflow.TransitionError, match="撤回委托"):
        actions.record_follow_up(case, by=agent_cg, on=day(5), means="phone", contact="住建局", content="…")
    with pytest.raises(workflow.TransitionError, match="撤回委托"):
        actions.take_step(case, "forward", by=agent_cg, on=day(5), mode="forward", handling_body="x")


def test_extension_is_at_most_thirty_days(agent_cg, submitted):
    case = actions.take_step(
        submitted, "forward", by=agent_cg, on=day(3), mode="forward", handling_body="县住建局"
    )
    case = actions.take_step(
        actions.take_step(case, "receive", by=agent_cg, on=day(4)), "accept", by=agent_cg, on=day(6)
    )
    with pytest.raises(workflow.TransitionError, match="1至30日"):
        actions.take_step(
            case, "extend", by=agent_cg, on=day(30), days=31, approver="局长", reason="复杂", told_on=day(30)
        )


def test_follow_ups_and_the_worklist(agent_cg, agent_zj, submitted, make_case):
    actions.record_follow_up(
        submitted,
        by=agent_cg,
        on=day(2),
        means="phone",
        contact="县信访局登记科",
        content="已催促尽快转送",
        next_on=TODAY,
    )
    work = selectors.worklist(agent_cg)
    assert [f.case for f in work.follow_ups] == [submitted]
    assert [d.case for d in work.overdue] == [submitted]  # the 15-day forwarding clock passed long ago
    assert selectors.worklist(agent_zj).empty
    actions.record_follow_up(
        submitted, by=agent_cg, on=TODAY, means="platform", contact="平台", content="已转送"
    )
    assert selectors.worklist(agent_cg).follow_ups == []


def test_step_pages_show_only_allowed_buttons_and_refuse_others(client, agent_cg, submitted):
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[submitted.pk])).content.decode()
    assert "登记转送交办" in page and "撤回委托" in page and "登记受理" not in page
    response = client.post(reverse("cases:step", args=[submitted.pk, "accept"]), {"on": day(5).isoformat()})
    assert "不能登记受理" in response.content.decode()
    response = client.post(
        reverse("cases:step", args=[submitted.pk, "forward"]),
        {"on": day(3).isoformat(), "mode": "forward", "handling_body": "县住建局"},
    )
    assert response.status_code == 302
    page = client.get(reverse("cases:detail", args=[submitted.pk])).content.decode()
    assert "登记有权处理机关收到" in page and "县住建局" in page
    bad = client.post(reverse("cases:step", args=[submitted.pk, "receive"]), {"on": day(1).isoformat()})
    assert "不能早于上一环节的日期" in bad.content.decode()
    assert client.get(reverse("cases:step", args=[submitted.pk, "nonsense"])).status_code == 404


def test_worklist_pages(client, agent_cg, bureau_user, agent_zj, submitted):
    client.force_login(agent_cg)
    page = client.get(reverse("cases:work")).content.decode()
    assert submitted.number in page and "已超期" in page
    client.force_login(bureau_user)
    page = client.get(reverse("cases:work")).content.decode()
    assert submitted.number in page and "城关镇" in page
    client.force_login(agent_zj)
    assert submitted.number not in client.get(reverse("cases:work")).content.decode()


def test_no_extension_once_the_conclusion_clock_has_run_out(agent_cg, submitted):
    case = actions.take_step(
        submitted, "forward", by=agent_cg, on=day(2), mode="forward", handling_body="县住建局"
    )
    case = actions.take_step(
        actions.take_step(case, "receive", by=agent_cg, on=day(3)), "accept", by=agent_cg, on=day(4)
    )
    due = open_clocks(case)["conclude"]
    with pytest.raises(workflow.TransitionError, match="届满后不能再批准延期"):
        actions.take_step(
            case,
            "extend",
            by=agent_cg,
            on=due + datetime.timedelta(days=1),
            days=10,
            approver="局长",
            reason="复杂",
            told_on=due + datetime.timedelta(days=1),
        )
