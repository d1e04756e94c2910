"""save_feedback_form and its form: 附件2's rules (≥2 delivering staff, 不满意原因 only with 不满意)."""

from __future__ import annotations

import pytest

from conftest import scan_file
from xinfang.cases import actions as case_actions
from xinfang.cases.models import CaseEvent
from xinfang.core import files
from xinfang.ratings import actions
from xinfang.ratings.forms import FeedbackEntryForm
from xinfang.ratings.models import FeedbackForm
from xinfang.ratings.tests.factories import ago, feedback_data

SCAN = files.Checked(content=b"%PDF-1.4\nsigned\n", content_type=files.PDF, name="反馈表签字.pdf")


def test_saves_the_form_with_the_signed_scan(agent_cg, delivered):
    form = actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(), signed_scan=SCAN)

    form = FeedbackForm.objects.get(pk=form.pk)
    assert form.case == delivered and form.filled_by == agent_cg
    assert (form.documents, form.document_count, form.agent_rating) == ("（城住建复〔2026〕3号）", 1, "fair")
    assert (form.truthful, form.notified_in_time, form.forwarded_in_time) == (True, True, False)
    assert form.body_reasons == ["attitude", "unresolved"]  # the order of 附件2
    assert form.body_reason_labels() == ["工作人员态度", "合理诉求未解决"]
    assert form.delivered_by_names == ["张某某", "刘某某"]
    assert files.read(form.signed_scan) == SCAN.content
    event = CaseEvent.objects.get(case=delivered, action="feedback")
    assert (event.by, event.on) == (agent_cg, ago(2))
    assert event.data == {"created": True, "fields": [], "scan": form.signed_scan.sha256}
    assert "排水沟" not in str(event.data) and "张某某" not in str(event.data)


def test_a_concluded_case_may_have_its_form_before_delivery_is_recorded(agent_cg, concluded):
    form = actions.save_feedback_form(
        concluded,
        by=agent_cg,
        data=feedback_data(delivered_at=ago(0), signed_on=None, petitioner_signed=False),
    )
    assert form.pk and form.signed_on is None


def test_update_records_the_changed_fields(agent_cg, delivered):
    actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data())
    form = actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(agent_rating="good"))

    assert FeedbackForm.objects.count() == 1 and form.agent_rating == "good"
    events = CaseEvent.objects.filter(case=delivered, action="feedback")
    assert [e.data["fields"] for e in events] == [[], ["agent_rating"]]
    actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(agent_rating="good"))
    assert events.count() == 2  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    ("names", "ok"),
    [
        ("张某某、刘某某", True),
        ("张某某，刘某某 陈某", True),
        ("张某某,刘某某", True),
        ("张某某 刘某某", True),
        ("张某某", False),
        ("张某某、张某某", False),
        ("  、 ", False),
    ],
)
def test_at_least_two_delivering_staff(agent_cg, delivered, names, ok):
    if ok:
        form = actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(delivered_by=names))
        assert "、" in form.delivered_by and len(form.delivered_by_names) >= 2
    else:
        with pytest.raises(actions.RatingError, match="送达人至少为2名工作人员"):
            actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(delivered_by=names))
        assert not FeedbackForm.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"office_satisfaction": "basically", "office_reasons": ["coordination"]},
            "office_reasons",
            "不勾选不满意原因",
        ),
        ({"body_satisfaction": "satisfied"}, "body_reasons", "不勾选不满意原因"),
        ({"body_reasons": []}, "body_reasons", "至少勾选一项"),
        ({"body_reasons": ["other"], "body_comment": ""}, "body_comment", "写明"),
        ({"body_reasons": ["bribes"]}, "body_reasons", "无法识别"),
        ({"document_count": 0}, "document_count", "至少为1"),
        ({"delivered_at": ago(-1)}, "delivered_at", "不能晚于今天"),
        ({"delivered_at": ago(30)}, "delivered_at", "不能早于办结日期"),
        ({"signed_on": None}, "signed_on", "请填写签字日期"),
        ({"signed_on": ago(3)}, "signed_on", "不能早于送达时间"),
    ],
)
def test_rules_refuse_with_a_message_for_the_field(agent_cg, delivered, overrides, field, message):
    assert message in actions.feedback_problems(delivered, feedback_data(**overrides))[field]
    with pytest.raises(actions.RatingError, match=message):
        actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(**overrides))
    assert not FeedbackForm.objects.exists()


def test_unsigned_form_keeps_no_signing_date(agent_cg, delivered):
    form = actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(petitioner_signed=False))
    assert form.signed_on is None


def test_refused_before_conclusion_and_once_withdrawn(agent_cg, make_case, delivered):
    with pytest.raises(actions.RatingError, match="办结后才能填写反馈表"):
        actions.save_feedback_form(make_case(agent_cg, serial=5), by=agent_cg, data=feedback_data())
    case_actions.take_step(delivered, "withdraw", by=agent_cg, on=ago(1), reason="信访人撤回")
    with pytest.raises(actions.RatingError, match="已撤回委托"):
        actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data())


def _post(**overrides) -> dict:
    data = {
        "documents": "（城住建复〔2026〕3号）",
        "document_count": "1",
        "truthful": "1",
        "notified_in_time": "1",
        "forwarded_in_time": "0",
        "agent_rating": "good",
        "office_satisfaction": "satisfied",
        "body_satisfaction": "unsatisfied",
        "body_reasons": ["attitude", "other"],
        "body_comment": "态度生硬",
        "delivered_by": "张某某、刘某某",
        "delivered_at": ago(2).isoformat(),
        "petitioner_signed": "on",
        "signed_on": ago(2).isoformat(),
    }
    data.update(overrides)
    return data


def test_form_puts_each_problem_at_its_field(delivered):
    form = FeedbackEntryForm(
        _post(delivered_by="张某某", office_reasons=["answering"], truthful=""), case=delivered
    )
    assert not form.is_valid()
    assert "送达人至少为2名工作人员" in form.errors["delivered_by"][0]
    assert "不勾选不满意原因" in form.errors["office_reasons"][0]
    assert form.errors["truthful"] == ["请选择“是”或“不是”。"]


def test_form_checks_the_scan_by_its_content(delivered):
    bad = FeedbackEntryForm(_post(), {"signed_scan": scan_file("scan.pdf", b"not a pdf")}, case=delivered)
    assert not bad.is_valid() and "signed_scan" in bad.errors
    good = FeedbackEntryForm(_post(), {"signed_scan": scan_file()}, case=delivered)
    assert good.is_valid(), good.errors
    assert good.cleaned_data["signed_scan"].content_type == files.PDF


def test_form_starts_from_the_reply_documents(delivered):
    form = FeedbackEntryForm(case=delivered)
    assert form.initial["document_count"] == 1  # one 答复意见书 was kept when the case was concluded
    assert form.initial["delivered_at"] == delivered.delivered_on
