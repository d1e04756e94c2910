"""An agent of 城关镇 enters the returned 反馈表 of a round of deliveries in one grid, in headless
Chromium: a mistake in one row is shown in that row, nothing is saved and nothing typed is lost;
corrected, the whole round is saved, each case rated."""

from __future__ import annotations

import pytest

from tests.browser import check, log_in, shot
from xinfang.cases.models import CaseEvent
from xinfang.ratings.models import FeedbackForm, Rating
from xinfang.ratings.tests.factories import advance, ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def round_of_deliveries(agent_cg, make_case, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    return [
        advance(
            make_case(agent_cg, serial=n, received_on=ago(20), title=title), agent_cg, delivered_ago=n + 1
        )
        for n, title in ((1, "排水沟堵塞"), (2, "路灯不亮"), (3, "垃圾清运不及时"))
    ]


def answer(row, *, deliverers: str, body: str = "满意", channel: str = "信访人网上评价") -> None:
    """What a returned 反馈表 says, typed into the case's row."""
    row.get_by_label("答复意见书").fill("城住建复〔2026〕7号")
    for question in ("1.如实反映", "2.按时告知", "3.及时转送"):
        row.get_by_label(question).select_option(label="是")
    row.get_by_label("4.代理工作").select_option(label="好")
    row.get_by_label("送达人").fill(deliverers)
    row.get_by_label("已签字").check()
    row.get_by_label("签字日期").fill(ago(1).isoformat())
    row.get_by_label("对信访机构").select_option(label="满意")
    row.get_by_label("对责任机关").select_option(label=body)
    row.get_by_label("评价方式").select_option(label=channel)


def test_an_agent_enters_a_round_of_feedback_forms_at_once(page, agent_cg, round_of_deliveries):
    first, second, untouched = round_of_deliveries
    log_in(page, agent_cg.username)
    page.get_by_role("link", name="批量登记反馈表和评价").click()
    check(page)
    page.get_by_role("heading", name="批量登记反馈表和满意度评价").wait_for()
    rows = {case.pk: page.locator(f"tbody#row-{case.pk}") for case in round_of_deliveries}
    assert "信访人 李某某" in rows[first.pk].inner_text()

    # Two rows typed; the second with one deliverer only, 不满意 without its reason, and rated by
    # the agent without saying how the petitioner said so.
    answer(rows[first.pk], deliverers="张某某、刘某某")
    answer(rows[second.pk], deliverers="张某某", body="不满意", channel="代理员代为评价")
    rows[second.pk].get_by_label("具体意见").nth(1).fill("路灯仍然不亮")
    page.get_by_role("button", name="保存填写的各行").click()
    page.get_by_text("有 1 行需要修改").wait_for()
    second_row = page.locator(f"tbody#row-{second.pk}")
    for message in (
        "送达人至少为2名工作人员",
        "选择“不满意”的，请至少勾选一项不满意原因。",
        "代为评价的，请选择信访人是通过电话还是当面表达的意见。",
        "代为评价的，请填写信访人表达意见的日期和时间。",
    ):
        assert message in second_row.inner_text()
    assert "送达人至少" not in page.locator(f"tbody#row-{first.pk}").inner_text()
    # Nothing lost: what was typed in both rows is still there; nothing saved.
    assert page.locator(f"tbody#row-{first.pk}").get_by_label("送达人").input_value() == "张某某、刘某某"
    assert second_row.get_by_label("具体意见").nth(1).input_value() == "路灯仍然不亮"
    assert second_row.get_by_label("对责任机关").input_value() == "unsatisfied"
    assert not Rating.objects.exists() and not FeedbackForm.objects.exists()
    check(page, "errors")
    shot(page, "batch-01-errors-in-place")

    # Corrected in its row, the round is saved at once.
    second_row.get_by_label("送达人").fill("张某某、刘某某")
    second_row.get_by_text("合理诉求未解决").check()
    second_row.get_by_label("表达方式").select_option(label="电话")
    second_row.get_by_label("表达时间").fill(f"{ago(1).isoformat()}T10:30")
    page.get_by_role("button", name="保存填写的各行").click()

    page.get_by_text("已保存2件事项的反馈表和满意度评价。").wait_for()
    assert "其中1件信访人不满意" in page.content()
    shot(page, "batch-02-saved")
    assert {r.case_id: r.channel for r in Rating.objects.all()} == {first.pk: "platform", second.pk: "agent"}
    assert FeedbackForm.objects.get(case=second).body_reasons == ["unresolved"]
    assert (
        CaseEvent.objects.filter(action="rate").count()
        == CaseEvent.objects.filter(action="feedback").count()
        == 2
    )
    # The rated cases leave the grid; the untouched one is still there to enter.
    assert page.locator(f"tbody#row-{untouched.pk}").count() == 1
    assert page.locator(f"tbody#row-{first.pk}").count() == 0
