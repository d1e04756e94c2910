"""record_rating: one per case, the channel recorded, refused before delivery, 不满意 alerts."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from conftest import make_user
from xinfang.accounts.models import Role
from xinfang.cases import actions as case_actions
from xinfang.cases import workflow
from xinfang.cases.models import Case, CaseEvent
from xinfang.deadlines.models import CaseDeadline
from xinfang.notify.models import Notice
from xinfang.ratings import actions, selectors
from xinfang.ratings.models import Rating
from xinfang.ratings.tests.factories import advance, ago

SATISFIED: dict[str, Any] = {"office_satisfaction": "satisfied", "body_satisfaction": "basically"}
UNSATISFIED: dict[str, Any] = {"office_satisfaction": "satisfied", "body_satisfaction": "unsatisfied"}


def spoken(hours_ago: int = 3) -> dict:
    return {
        "instruction_means": "phone",
        "instructed_at": timezone.now() - datetime.timedelta(hours=hours_ago),
    }


# --- one rating per case ----------------------------------------------------------------------------------


def test_one_rating_per_case(agent_cg, delivered):
    actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)

    with pytest.raises(actions.RatingError) as refused:
        actions.record_rating(delivered, channel="agent", by=agent_cg, **UNSATISFIED, **spoken())
    assert str(refused.value) == "该事项已评价，不能重复评价。"
    with pytest.raises(actions.RatingError, match="不能重复评价"):
        actions.record_rating(delivered, channel="public", **UNSATISFIED)

    rating = Rating.objects.get(case=delivered)
    assert (rating.channel, rating.body_satisfaction) == ("platform", "basically")
    assert CaseEvent.objects.filter(case=delivered, action="rate").count() == 1
    assert not Notice.objects.exists()


def test_refusal_is_a_transition_error_for_the_case_views(agent_cg, delivered):
    actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)
    with pytest.raises(workflow.TransitionError):
        actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)


@pytest.mark.django_db(transaction=True)
def test_two_ratings_at_once_give_one(agent_cg, make_case):
    case = advance(make_case(agent_cg, received_on=ago(14)), agent_cg)
    start = threading.Barrier(4)
    outcomes: list = []

    def work(channel: str, by) -> None:
        try:
            start.wait()
            extra = spoken() if channel == "agent" else {}
            outcomes.append(actions.record_rating(case, channel=channel, by=by, **SATISFIED, **extra))
        except actions.RatingError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=args)
        for args in (("platform", agent_cg), ("public", None), ("agent", agent_cg), ("public", None))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Rating.objects.filter(case=case).count() == 1
    assert sum(isinstance(o, Rating) for o in outcomes) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["该事项已评价，不能重复评价。"] * 3
    assert CaseEvent.objects.filter(case=case, action="rate").count() == 1


# --- the channel ------------------------------------------------------------------------------------------


def test_platform_channel_records_the_agent_who_entered_it(agent_cg, delivered):
    rating = actions.record_rating(
        delivered, channel="platform", by=agent_cg, comment="  处理及时  ", rated_on=ago(1), **SATISFIED
    )

    rating.refresh_from_db()
    assert (rating.channel, rating.entered_by, rating.rated_on, rating.comment) == (
        "platform",
        agent_cg,
        ago(1),
        "处理及时",
    )
    assert (rating.instruction_means, rating.instructed_at) == ("", None)
    event = CaseEvent.objects.get(case=delivered, action="rate")
    assert (event.by, event.on, event.from_status, event.to_status) == (
        agent_cg,
        ago(1),
        "delivered",
        "delivered",
    )
    assert event.data == {"channel": "platform", "office": "satisfied", "body": "basically", "means": ""}
    assert event.label == "信访人评价"


def test_platform_channel_ignores_instruction_fields(agent_cg, delivered):
    rating = actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED, **spoken())
    assert (rating.instruction_means, rating.instructed_at) == ("", None)


def test_agent_channel_records_how_and_when_the_petitioner_said_so(agent_cg, delivered):
    said_at = timezone.now() - datetime.timedelta(hours=5)

    rating = actions.record_rating(
        delivered,
        channel="agent",
        by=agent_cg,
        instruction_means="in_person",
        instructed_at=said_at,
        **SATISFIED,
    )

    rating.refresh_from_db()
    assert (rating.channel, rating.instruction_means, rating.instructed_at) == ("agent", "in_person", said_at)
    assert rating.entered_by == agent_cg
    assert CaseEvent.objects.get(case=delivered, action="rate").data["means"] == "in_person"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "电话或当面"),
        ({"instruction_means": "phone"}, "日期和时间"),
        ({"instruction_means": "fax", "instructed_at": timezone.now()}, "电话或当面"),
        (
            {"instruction_means": "phone", "instructed_at": timezone.now() + datetime.timedelta(hours=2)},
            "不能晚于现在",
        ),
        (
            {
                "instruction_means": "phone",
                "instructed_at": timezone.make_aware(datetime.datetime.combine(ago(5), datetime.time(9))),
            },
            "不能早于答复送达日期",
        ),
    ],
)
def test_agent_channel_needs_means_and_a_past_time_after_delivery(agent_cg, delivered, extra, message):
    with pytest.raises(actions.RatingError, match=message):
        actions.record_rating(delivered, channel="agent", by=agent_cg, **SATISFIED, **extra)
    assert not Rating.objects.exists()


def test_public_channel_has_no_staff_user(agent_cg, delivered):
    rating = actions.record_rating(delivered, channel="public", by=None, **UNSATISFIED)

    rating.refresh_from_db()
    assert (rating.channel, rating.entered_by, rating.rated_on) == ("public", None, timezone.localdate())
    # CaseEvent.by is required: the event is the case's agent's, and says the petitioner rated.
    event = CaseEvent.objects.get(case=delivered, action="rate")
    assert event.by == agent_cg and event.data["channel"] == "public"


def test_public_channel_is_not_for_staff(agent_cg, delivered):
    with pytest.raises(actions.RatingError, match="只能由信访人本人提交"):
        actions.record_rating(delivered, channel="public", by=agent_cg, **SATISFIED)
    with pytest.raises(actions.RatingError, match="登记人"):
        actions.record_rating(delivered, channel="platform", by=None, **SATISFIED)
    assert not Rating.objects.exists()


def test_unknown_values_are_refused(agent_cg, delivered):
    with pytest.raises(actions.RatingError, match="评价方式"):
        actions.record_rating(delivered, channel="sms", by=agent_cg, **SATISFIED)
    with pytest.raises(actions.RatingError, match="信访机构"):
        actions.record_rating(
            delivered,
            channel="platform",
            by=agent_cg,
            office_satisfaction="great",
            body_satisfaction="satisfied",
        )


# --- when ---------------------------------------------------------------------------------------------------


def test_refused_before_the_reply_is_delivered(agent_cg, concluded):
    with pytest.raises(actions.RatingError, match="书面答复送达信访人后才能评价"):
        actions.record_rating(concluded, channel="platform", by=agent_cg, **SATISFIED)
    with pytest.raises(actions.RatingError, match="书面答复送达信访人后才能评价"):
        actions.record_rating(concluded, channel="public", **SATISFIED)
    assert not Rating.objects.exists()
    assert not CaseEvent.objects.filter(action="rate").exists()


def test_refused_for_a_new_case(agent_cg, make_case):
    case = make_case(agent_cg)
    with pytest.raises(actions.RatingError, match="当前状态为“登记中”"):
        actions.record_rating(case, channel="public", **SATISFIED)


def test_refused_once_withdrawn(agent_cg, delivered):
    case_actions.take_step(delivered, "withdraw", by=agent_cg, on=ago(1), reason="信访人撤回")
    with pytest.raises(actions.RatingError, match="已撤回委托"):
        actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)


def test_allowed_after_review_was_requested(agent_cg, delivered):
    case_actions.take_step(delivered, "request_review", by=agent_cg, on=ago(1), reviewing_body="县政府")
    rating = actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)
    assert rating.case.status == "review_requested"


@pytest.mark.parametrize(
    ("rated_on", "message"), [(ago(-1), "不能晚于今天"), (ago(3), "不能早于答复送达日期")]
)
def test_rating_date_between_delivery_and_today(agent_cg, delivered, rated_on, message):
    with pytest.raises(actions.RatingError, match=message):
        actions.record_rating(delivered, channel="platform", by=agent_cg, rated_on=rated_on, **SATISFIED)


# --- 不满意 alerts the bureau and the agent -------------------------------------------------------------------


def test_unsatisfied_alerts_every_active_bureau_user_and_the_agent(agent_cg, bureau_user, units, delivered):
    second = make_user("tu", Role.BUREAU, units["bureau"], "涂元明")
    gone = make_user("old", Role.BUREAU, units["bureau"], "离岗人员")
    gone.is_active = False
    gone.save()

    actions.record_rating(delivered, channel="public", **UNSATISFIED)

    notices = Notice.objects.filter(case=delivered)
    assert {n.recipient for n in notices} == {bureau_user, second, agent_cg}
    assert {n.level for n in notices} == {"warning"}
    text = notices.first().text
    assert delivered.number in text and "不满意" in text and "有权处理机关" in text
    case = Case.objects.get(pk=delivered.pk)
    for personal in (case.petitioner.name, case.petitioner.mobile, case.title):
        assert personal not in text


@pytest.mark.parametrize("office", ["unsatisfied", "satisfied"])
def test_either_count_unsatisfied_alerts(agent_cg, bureau_user, delivered, office):
    body = "satisfied" if office == "unsatisfied" else "unsatisfied"
    rating = actions.record_rating(
        delivered, channel="platform", by=agent_cg, office_satisfaction=office, body_satisfaction=body
    )
    assert rating.is_unsatisfied
    assert Notice.objects.filter(case=delivered, recipient=bureau_user).count() == 1


def test_satisfied_alerts_nobody(agent_cg, bureau_user, delivered):
    rating = actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)
    assert not rating.is_unsatisfied
    assert not Notice.objects.exists()


# --- the guidance -------------------------------------------------------------------------------------------


def test_guidance_gives_the_review_window_due_date(agent_cg, delivered):
    actions.record_rating(delivered, channel="platform", by=agent_cg, **UNSATISFIED)
    window = CaseDeadline.objects.get(case=delivered, clock__code="review_request")

    guidance = selectors.rating_guidance(delivered)

    assert guidance["state"] == "open"
    assert guidance["due_on"] == window.due_on >= ago(2) + datetime.timedelta(days=30)
    assert guidance["days_left"] == (window.due_on - timezone.localdate()).days
    due = window.due_on
    assert f"{due.year}年{due.month}月{due.day}日前申请复查" in guidance["title"]
    assert "自收到书面答复之日起30日内" in guidance["text"] and "复查" in guidance["text"]
    assert guidance["basis"] == "《信访工作条例》第三十五条"
    assert "县信访局" in guidance["duty"]


def test_guidance_says_when_the_window_has_passed(agent_cg, delivered_long_ago):
    actions.record_rating(delivered_long_ago, channel="platform", by=agent_cg, **UNSATISFIED)

    guidance = selectors.rating_guidance(delivered_long_ago)

    assert guidance["state"] == "passed"
    assert guidance["due_on"] < timezone.localdate()
    assert "已于" in guidance["title"] and "届满" in guidance["title"]


def test_guidance_follows_the_review(agent_cg, delivered):
    actions.record_rating(delivered, channel="platform", by=agent_cg, **UNSATISFIED)
    case = case_actions.take_step(
        delivered, "request_review", by=agent_cg, on=ago(1), reviewing_body="县政府"
    )
    assert selectors.rating_guidance(case)["state"] == "review_requested"
    case = case_actions.take_step(case, "review", by=agent_cg, on=ago(0), outcome="uphold")
    # 第三十六条: the 复核 window runs from the petitioner's receipt of the written 复查意见.
    guidance = selectors.rating_guidance(case)
    assert guidance["state"] == "review_not_delivered" and "送达" in guidance["title"]
    assert not CaseDeadline.objects.filter(case=delivered, clock__code="re_review_request").exists()
    case = case_actions.take_step(case, "deliver_review", by=agent_cg, on=ago(0))
    guidance = selectors.rating_guidance(case)
    assert guidance["state"] == "re_review_open"
    assert (
        guidance["due_on"] == CaseDeadline.objects.get(case=delivered, clock__code="re_review_request").due_on
    )


def test_no_guidance_without_an_unsatisfied_rating(agent_cg, delivered):
    assert selectors.rating_guidance(delivered) is None
    actions.record_rating(delivered, channel="platform", by=agent_cg, **SATISFIED)
    assert selectors.rating_guidance(delivered) is None


# --- figures ------------------------------------------------------------------------------------------------


def test_figures_count_participation_and_satisfaction_in_one_query(
    agent_cg, make_case, delivered, delivered_long_ago, concluded, django_assert_num_queries
):
    actions.record_rating(delivered, channel="platform", by=agent_cg, **UNSATISFIED)

    with django_assert_num_queries(1):
        figures = selectors.rating_figures(Case.objects.filter(unit=agent_cg.unit))

    assert (figures["delivered"], figures["rated"]) == (2, 1)
    assert figures["participation_rate"] == 0.5
    assert (figures["office_satisfied"], figures["body_unsatisfied"]) == (1, 1)
    assert figures["office_satisfaction_rate"] == 1.0 and figures["body_satisfaction_rate"] == 0.0
