"""In headless Chromium: a 联名 case with three petitioners from intake to the handover, then on to
a 复核 with a hearing; the same person registered again with other particulars is shown side by
side and confirmed."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.utils import timezone

from conftest import complaint_data, make_id_number, make_user, petitioner_data
from tests import browser
from tests.browser import shot
from xinfang.access.models import Role
from xinfang.cases import actions
from xinfang.cases.models import Case, CaseStatus
from xinfang.cases.tests.factories import walk
from xinfang.deadlines.models import CaseDeadline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    browser.log_in(page, username)
    page.wait_for_url(re.compile(r"/cases/work/$"))


def fill_person(page, *, name: str, serial: int, mobile: str = "", landline: str = "") -> None:
    page.get_by_label("信访人姓名").fill(name)
    page.get_by_label("证件号码").fill(make_id_number(serial))
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_label("固定电话（选填）").fill(landline)
    page.get_by_label("家庭住址").fill(f"镇坪县城关镇新华社区{serial}号楼")


def test_a_joint_case_with_three_petitioners_from_intake_to_handover_and_a_hearing(
    page, agent_cg, head_cg, units, categories, settings, tmp_path
):
    settings.PRIVATE_FILES_DIR = tmp_path
    successor = make_user("li", Role.AGENT, units["chengguan"], "李代理", "13800000009")
    received = timezone.localdate() - datetime.timedelta(days=90)
    case, _ = actions.open_case(
        by=agent_cg,
        token=uuid.uuid4(),
        petitioner=petitioner_data(61, name="张某兰"),
        complaint=complaint_data(title="小区电梯长期故障"),
        received_on=received,
    )
    log_in(page, "wang")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    for name, serial, phone in (
        ("周某平", 62, {"mobile": "13912340062"}),
        ("陈某明", 63, {"landline": "0915-8822563"}),
    ):
        page.get_by_role("link", name="添加联名信访人").click()
        browser.check(page)
        fill_person(page, name=name, serial=serial, **phone)
        page.get_by_role("button", name="保存").click()
        page.get_by_text("已添加联名信访人").wait_for()
    card = page.locator("#petitioners")
    assert "共3人" in card.inner_text() and "联名信访" in card.inner_text()
    assert all(n in card.inner_text() for n in ("张某兰", "周某平", "陈某明"))
    shot(page, "40-joint-case")

    # One letter listing all three, or one each.
    page.goto(page.base_url + f"/cases/{case.pk}/scope/")
    browser.check(page)
    page.get_by_label("属于代理范围，继续办理委托").check()
    page.get_by_role("button", name="确认").click()
    page.get_by_role("link", name="打印授权委托书").first.click()
    browser.check(page)
    letter = page.locator("article.authorization-letter")
    assert letter.count() == 1 and "我们现委托" in letter.inner_text()
    page.get_by_role("link", name="改为每名信访人各一份").click()
    assert page.locator("article.authorization-letter").count() == 3
    shot(page, "41-joint-letters")

    # The unit head hands the case to another agent, with a reason.
    page.context.clear_cookies()
    log_in(page, "head")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    page.get_by_role("link", name="移交代理员").click()
    browser.check(page)
    page.get_by_label("接手的代理员").select_option(label="李代理")
    page.get_by_label("移交原因").fill("原代理员外出培训")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已移交").wait_for()
    assert "代理员 李代理" in page.content()
    history = page.locator(".timeline").inner_text()
    assert "移交代理员" in history
    case.refresh_from_db()
    assert case.agent == successor
    # The new agent prints a letter in their own name.
    page.context.clear_cookies()
    log_in(page, "li")
    page.goto(page.base_url + f"/cases/{case.pk}/authorization/")
    letter = page.locator("article").first.inner_text()
    assert "李代理" in letter and "王某某" not in letter

    # The new agent follows it on, up to a 复核, one step a day, and records the hearing: the
    # hearing's days do not count against the 复核 clock (第三十六条).
    case = walk(case, CaseStatus.RE_REVIEW_REQUESTED, by=successor, start=received)
    due_before = CaseDeadline.objects.get(
        case=case, clock__code="re_review_opinion", stopped_on__isnull=True
    ).due_on
    today = timezone.localdate()
    requested = actions.last_step_on(case)
    assert requested is not None
    page.goto(page.base_url + f"/cases/{case.pk}/")
    page.get_by_role("link", name="登记听证").click()
    browser.check(page)
    page.get_by_label("听证开始日期").fill((requested + datetime.timedelta(days=3)).isoformat())
    page.get_by_label("听证结束日期").fill((requested + datetime.timedelta(days=4)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_text("届满日顺延").wait_for()
    due_after = CaseDeadline.objects.get(
        case=case, clock__code="re_review_opinion", stopped_on__isnull=True
    ).due_on
    assert due_after > due_before
    assert "听证" in page.locator(".timeline").inner_text()
    shot(page, "43-hearing")
    page.get_by_role("link", name="登记复核意见").click()
    browser.check(page)
    page.get_by_label("复核意见日期").fill(today.isoformat())
    page.get_by_label("维持原处理意见").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已复核（终结）").first.wait_for()


def test_the_same_person_with_other_particulars_is_confirmed_side_by_side(
    page, agent_cg, make_case, categories
):
    earlier = make_case(agent_cg, serial=70)
    log_in(page, "wang")
    page.get_by_role("link", name="＋ 新登记").click()
    browser.check(page)
    fill_person(page, name="李某某", serial=70, mobile="13912340070")
    page.get_by_label("行政机关及其工作人员").check()
    page.get_by_label("投诉对象名称").fill("城关镇人民政府")
    page.get_by_label("申诉求决类").check()
    for question in (
        "是否允许公开",
        "法院是否已受理",
        "是否已经行政复议",
        "仲裁机构是否已受理",
        "是否已有复查复核意见书",
    ):
        page.locator(".field", has=page.get_by_text(question, exact=True)).get_by_label("否").check()
    page.get_by_label("内容分类").select_option(label="城乡建设")
    page.get_by_label("诉求标题").fill("再次反映")
    page.get_by_label("诉求内容").fill("再次反映排水沟问题。")
    page.get_by_role("button", name="保存登记").click()
    changes = page.locator("#petitioner-changes")
    changes.wait_for()
    assert "镇坪县城关镇文彩村三组12号" in changes.inner_text()  # as registered before
    assert page.get_by_label("证件号码").input_value() == make_id_number(70)  # nothing typed is lost
    shot(page, "42-petitioner-changes")
    page.get_by_label("已与信访人核对，按本次填写登记").check()
    page.get_by_role("button", name="保存登记").click()
    page.get_by_text("已登记").first.wait_for()
    browser.check(page)
    earlier.refresh_from_db()
    assert earlier.petitioner.address == "镇坪县城关镇文彩村三组12号"
    assert Case.objects.latest("pk").petitioner.address == "镇坪县城关镇新华社区70号楼"
