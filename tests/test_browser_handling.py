"""After submission, in headless Chromium: the agent records the steps and follow-ups and sees
the clocks; bureau staff see the board across units and use the calculator."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests import browser
from tests.browser import check, shot
from xinfang.cases import actions
from xinfang.core import files
from xinfang.reference.models import SubmissionPlatform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = files.Checked(content=b"%PDF-1.4\n", content_type=files.PDF, name="scan.pdf")


def log_in(page, username: str) -> None:
    browser.log_in(page, username)
    page.wait_for_url(re.compile(r"/cases/work/$"))


@pytest.fixture
def submitted(agent_cg, make_case, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    today = timezone.localdate()
    received = today - datetime.timedelta(days=40)
    case = make_case(agent_cg, received_on=received, title="排水沟堵塞")
    actions.accept_scope(case, by=agent_cg)
    actions.record_authorization(case, by=agent_cg, mode="signed", on=received, scan=PDF)
    return actions.record_submission(
        case,
        by=agent_cg,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="p",
        query_code="QC1",
        on=timezone.make_aware(datetime.datetime.combine(received, datetime.time(9))),
    )


def test_agent_follows_a_case_and_bureau_sees_the_board(
    page, agent_cg, agent_zj, bureau_user, submitted, make_case
):
    today = timezone.localdate()
    other = make_case(agent_zj, serial=8, received_on=today - datetime.timedelta(days=30))
    actions.accept_scope(other, by=agent_zj)
    actions.record_authorization(other, by=agent_zj, mode="signed", on=other.received_on, scan=PDF)
    actions.record_submission(
        other,
        by=agent_zj,
        platform=SubmissionPlatform.objects.first(),
        username="u2",
        password="p2",
        query_code="QC2",
        on=timezone.now() - datetime.timedelta(days=29),
    )
    log_in(page, "wang")
    # The 15-day forwarding clock has passed: the case is on the worklist as overdue.
    overdue = page.locator("section", has=page.get_by_role("heading", name="已超期"))
    assert submitted.number in overdue.inner_text()
    shot(page, "10-worklist")
    page.get_by_role("link", name=submitted.number).first.click()
    check(page)
    assert "转送交办" in page.content() and "超期" in page.content()

    page.get_by_role("link", name="记录跟踪督办").click()
    check(page)
    page.get_by_label("电话", exact=True).check()
    page.get_by_label("联系对象").fill("县信访局登记科")
    page.get_by_label("情况").fill("已电话催促尽快转送。")
    page.get_by_label("下次跟踪日期（选填）").fill((today + datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已记录跟踪督办").wait_for()

    page.get_by_role("link", name="登记转送交办").click()
    check(page)
    page.get_by_label("转送交办日期").fill((today - datetime.timedelta(days=30)).isoformat())
    page.get_by_label("交办", exact=True).check()
    page.get_by_label("有权处理机关").fill("镇坪县住房和城乡建设局")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记转送交办").wait_for()

    # A date before the previous step is refused with a message; nothing typed is lost.
    page.get_by_role("link", name="登记有权处理机关收到").click()
    page.get_by_label("有权处理机关收到日期").fill((today - datetime.timedelta(days=35)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_text("不能早于上一环节的日期").wait_for()
    check(page, "errors")
    page.get_by_label("有权处理机关收到日期").fill((today - datetime.timedelta(days=28)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记有权处理机关收到").wait_for()
    page.get_by_role("link", name="登记受理", exact=True).click()
    check(page)
    page.get_by_label("受理告知日期").fill((today - datetime.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记受理").wait_for()
    deadlines = page.locator("section", has=page.get_by_role("heading", name="法定期限"))
    assert "办结" in deadlines.inner_text() and "第34条" in deadlines.inner_text()
    assert "镇坪县住房和城乡建设局" in page.content()
    shot(page, "11-accepted")
    check(page, "accepted")

    page.context.clear_cookies()
    log_in(page, "lu")
    assert "督办看板" in page.content()
    units = page.locator("section", has=page.get_by_role("heading", name="各单位")).inner_text()
    assert units.index("曾家镇") < units.index("城关镇")  # the unit with an overdue case first
    assert (
        other.number in page.locator("section", has=page.get_by_role("heading", name="已超期")).inner_text()
    )
    shot(page, "12-board")
