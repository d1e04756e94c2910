"""The control room in headless Chromium: bureau staff read the figures of a month and set a
target; an agent files an urgent risk report, bureau staff see the red banner on every page
until they acknowledge it; a leader starts on the figures of every unit, a unit head sees only
the own unit."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests import browser
from tests.browser import check, shot
from xinfang.cases import actions
from xinfang.core import files
from xinfang.figures import actions as figure_actions
from xinfang.figures.models import UnitTarget
from xinfang.figures.periods import add_months, first_of_month
from xinfang.oversight.models import RiskReport
from xinfang.ratings.actions import record_rating
from xinfang.reference.models import SubmissionPlatform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = files.Checked(content=b"%PDF-1.4\nreply\n", content_type=files.PDF, name="答复意见书.pdf")


def log_in(page, username: str, lands_on: str) -> None:
    page.context.clear_cookies()
    browser.log_in(page, username)
    page.wait_for_url(re.compile(lands_on))


def delivered(make_case, agent, serial: int, *, first: datetime.date, rating: str):
    """A case submitted on ``first``, accepted, concluded and its reply delivered 2 weeks later, rated."""
    day = lambda n: first + datetime.timedelta(days=n)  # noqa: E731
    case = make_case(agent, serial=serial, received_on=first, title=f"演示事项{serial}")
    actions.accept_scope(case, by=agent)
    actions.record_authorization(case, by=agent, mode="signed", on=first, scan=PDF)
    case = actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username=f"u{serial}",
        password="pw",
        query_code=f"Q{serial}",
        on=timezone.make_aware(datetime.datetime.combine(first, datetime.time(10))),
    )
    case = actions.take_step(case, "forward", by=agent, on=day(1), mode="forward", handling_body="县住建局")
    case = actions.take_step(case, "receive", by=agent, on=day(2))
    case = actions.take_step(case, "accept", by=agent, on=day(4))
    case = actions.take_step(case, "conclude", by=agent, on=day(10), opinion="explain", document=PDF)
    case = actions.take_step(case, "deliver", by=agent, on=day(12))
    record_rating(
        case,
        channel="platform",
        office_satisfaction="satisfied",
        body_satisfaction=rating,
        by=agent,
        rated_on=day(13),
    )
    return case


@pytest.fixture
def last_month(units, agent_cg, agent_zj, bureau_user, make_case, settings, tmp_path):
    """Last month: one case delivered and rated in each town, and the channel tallies."""
    settings.PRIVATE_FILES_DIR = tmp_path
    month = add_months(first_of_month(timezone.localdate()), -1)
    delivered(make_case, agent_cg, 1, first=month, rating="satisfied")
    delivered(make_case, agent_zj, 2, first=month + datetime.timedelta(days=1), rating="basically")
    cg, zj = units["chengguan"], units["zengjia"]
    figure_actions.save_tallies(
        month=month,
        by=bureau_user,
        counts={
            (cg.pk, "letter"): 1,
            (cg.pk, "visit"): 2,
            (cg.pk, "online_self"): 3,
            (zj.pk, "visit"): 2,
        },
    )
    return month


def figures_table(page) -> str:
    return page.locator("table.figures-table").first.inner_text()


def test_control_room(page, units, agent_cg, bureau_user, leader, head_cg, last_month):
    # Bureau staff open 统计 and choose last month: every unit, the county, the definitions.
    log_in(page, "lu", r"/cases/work/$")
    page.locator("nav.mainnav").get_by_role("link", name="统计").click()
    browser.check(page)
    page.get_by_label("统计周期").select_option("month")
    page.get_by_label("月份").fill(f"{last_month:%Y-%m}")
    page.get_by_role("button", name="查看").click()
    page.get_by_role("heading", name=f"统计：{last_month.year}年{last_month.month}月").wait_for()
    table = figures_table(page)
    for name in ("县信访局", "城关镇", "曾家镇", "全县合计"):
        assert name in table
    # 2 proxied + 3 网上自投 of 10 petitions; both replies rated, both content.
    total = page.locator("table.figures-table tfoot").first.inner_text()
    assert "50.0%" in total and "100.0%" in total
    assert page.get_by_role("heading", name="口径说明").is_visible()
    assert "网上投诉占比" in page.locator("section.definitions").inner_text()
    shot(page, "control-00-dashboard-bureau")

    # A target on the targets page.
    page.get_by_role("link", name="代理目标").click()
    browser.check(page)
    page.get_by_label("单位").select_option(label="曾家镇")
    page.get_by_label("每月代理目标（件）").fill("2")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("曾家镇自").first.wait_for()
    assert UnitTarget.objects.get(unit=units["zengjia"]).monthly_target == 2
    shot(page, "control-01-targets")

    # An agent files an urgent report.
    log_in(page, "wang", r"/cases/work/$")
    page.locator("nav.mainnav").get_by_role("link", name="风险报告").click()
    browser.check(page)
    page.get_by_role("link", name=re.compile("报送")).first.click()
    browser.check(page)
    page.get_by_label("扬言过激行为").check()
    page.get_by_label("紧急", exact=True).check()
    page.get_by_label("情况").fill("信访人扬言如本周内不处理将到现场阻拦施工，已做思想疏导。")
    page.get_by_role("button", name="报送").click()
    page.get_by_text("已报送紧急风险报告").wait_for()
    report = RiskReport.objects.get()
    shot(page, "control-02-report-filed")

    # Bureau staff see the red banner on any page, open the report and acknowledge it.
    log_in(page, "lu", r"/cases/work/$")
    page.locator("nav.mainnav").get_by_role("link", name="台账").click()
    banner = page.locator(".urgent-reports")
    assert "城关镇" in banner.inner_text() and "扬言过激行为" in banner.inner_text()
    shot(page, "control-03-banner")
    banner.get_by_role("link", name=re.compile("查看并签收")).click()
    page.wait_for_url(re.compile(rf"/oversight/reports/{report.pk}/$"))
    browser.check(page)
    page.get_by_role("button", name="签收").click()
    page.get_by_text(f"已签收风险报告（第{report.pk}号）").wait_for()
    assert page.locator(".urgent-reports").count() == 0
    page.locator("nav.mainnav").get_by_role("link", name="台账").click()
    assert page.locator(".urgent-reports").count() == 0
    report.refresh_from_db()
    assert report.acknowledged_by == bureau_user

    # From the ledger, the full export asks why before it downloads.
    page.get_by_role("link", name="导出完整台账").click()
    browser.check(page)
    page.get_by_label("导出用途").fill("核对")
    page.get_by_role("button", name="导出 Excel").click()
    page.get_by_text("用途至少写4个字").wait_for()
    shot(page, "control-06-full-export")
    page.get_by_label("导出用途").fill("按县纪委监委函件核对信访人身份")
    page.get_by_role("button", name="导出 Excel").click()
    # Made in the background: the page counts the rows written, then offers the file.
    page.get_by_role("link", name="下载 Excel").wait_for()
    check(page, "ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename.endswith("（完整）.xlsx")

    # A leader lands on the dashboard and sees every unit.
    log_in(page, "leader", r"/figures/$")
    table = figures_table(page)
    for name in ("县信访局", "城关镇", "曾家镇", "全县合计"):
        assert name in table
    shot(page, "control-04-dashboard-leader")

    # A unit head sees the own unit only.
    log_in(page, "head", r"/cases/work/$")
    page.locator("nav.mainnav").get_by_role("link", name="统计").click()
    table = figures_table(page)
    assert "城关镇" in table and "曾家镇" not in table and "全县合计" not in table
    shot(page, "control-05-dashboard-unit-head")


def test_bulletin_published_corrected_and_withdrawn(
    page, units, agent_cg, bureau_user, make_case, last_month
):
    """Bureau staff draft last month's bulletin from the dashboard, publish it (the month is then
    frozen), see a late case as a difference, publish a correction, then withdraw it."""
    label = f"{last_month.year}年{last_month.month}月"
    log_in(page, "lu", r"/cases/work/$")
    page.goto(page.base_url + f"/figures/?kind=month&month={last_month:%Y-%m}")
    with page.expect_download() as draft:
        page.get_by_role("link", name="生成通报（草稿）").click()
    assert draft.value.suggested_filename == f"通报（征求意见稿）-{last_month:%Y-%m}.docx"
    page.get_by_role("link", name="生成通报（草稿）").wait_for()  # no longer 「正在生成草稿…」

    page.locator(".page-head").get_by_role("link", name="发布通报").click()
    page.get_by_role("heading", name=f"发布通报：{label}").wait_for()
    browser.check(page)
    page.get_by_label("总体情况说明").fill("上月全县代理工作总体平稳。")
    page.get_by_role("button", name="发布通报").click()
    page.get_by_text("请勾选确认").wait_for()  # nothing typed is lost
    assert page.get_by_label("总体情况说明").input_value() == "上月全县代理工作总体平稳。"
    page.get_by_label(re.compile("确认发布")).check()
    page.get_by_role("button", name="发布通报").click()
    page.get_by_text(re.compile(f"已发布{label}通报")).wait_for()
    first = page.locator("table.list tbody tr").first.inner_text()
    assert "有效" in first
    shot(page, "control-07-bulletin-published")

    # A case of last month entered late: the dashboard keeps the published numbers and lists the change.
    delivered(make_case, agent_cg, 3, first=last_month + datetime.timedelta(days=2), rating="satisfied")
    page.goto(page.base_url + f"/figures/?kind=month&month={last_month:%Y-%m}")
    assert "以下为发布时的数字" in page.locator(".frozen-notice").inner_text()
    page.get_by_role("link", name="核对发布后的数据变化").click()
    changes = page.locator("section.bulletin-changes").inner_text()
    assert "城关镇" in changes and "代理件数" in changes
    shot(page, "control-08-bulletin-differences")

    page.get_by_role("link", name="按现在的数字更正通报").click()
    browser.check(page)
    page.get_by_label("更正原因").fill("城关镇漏录代理事项1件。")
    page.get_by_label(re.compile("确认更正")).check()
    page.get_by_role("button", name="发布更正通报").click()
    page.get_by_text(re.compile("已发布更正通报")).wait_for()
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    assert "有效" in rows.nth(0).inner_text() and "已撤回" in rows.nth(1).inner_text()
    assert "城关镇漏录代理事项1件。" in rows.nth(1).inner_text()
    shot(page, "control-09-bulletin-corrected")
    page.goto(page.base_url + f"/figures/?kind=month&month={last_month:%Y-%m}")
    assert page.locator("section.bulletin-changes").count() == 0

    # Withdrawing the correction unfreezes the month.
    page.goto(page.base_url + "/bulletins/")
    page.locator("table.list tbody tr").first.get_by_role("link", name="撤回").click()
    browser.check(page)
    page.get_by_label("撤回原因").fill("待各镇核对后重新发布。")
    page.get_by_label(re.compile("确认撤回")).check()
    page.get_by_role("button", name="撤回通报").click()
    page.get_by_text(re.compile("已撤回")).first.wait_for()
    assert page.locator("table.list tbody tr .badge-withdrawn").count() == 2
    page.goto(page.base_url + f"/figures/?kind=month&month={last_month:%Y-%m}")
    assert page.locator(".frozen-notice").count() == 0
    assert page.locator(".page-head").get_by_role("link", name="发布通报").is_visible()
