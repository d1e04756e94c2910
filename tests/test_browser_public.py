"""A citizen, not logged in, in headless Chromium: looks up a case with the 查询码 and the last
four digits of the mobile (a wrong code first), sees the steps, and rates the result once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.browser import check, shot
from xinfang.cases import actions
from xinfang.core import files
from xinfang.ratings.models import Rating
from xinfang.reference.models import SubmissionPlatform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = files.Checked(content=b"%PDF-1.4\n", content_type=files.PDF, name="scan.pdf")
CODE = "K7MPX3QW9RTA"
LAST4 = "5678"  # petitioner_data's mobile is 13912345678


@pytest.fixture
def delivered(agent_cg, make_case, settings, tmp_path):
    """A case of 城关镇 whose reply was delivered two days ago, taken there with the real actions."""
    settings.PRIVATE_FILES_DIR = tmp_path
    unit = agent_cg.unit
    unit.office_address = "城关镇便民服务中心二楼"
    unit.save()
    today = timezone.localdate()

    def day(n: int) -> datetime.date:
        return today - datetime.timedelta(days=60 - n)

    case = make_case(agent_cg, received_on=day(0), title="排水沟堵塞")
    actions.accept_scope(case, by=agent_cg)
    actions.record_authorization(case, by=agent_cg, mode="signed", on=day(0), scan=PDF)
    case = actions.record_submission(
        case,
        by=agent_cg,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="p",
        query_code=CODE,
        on=timezone.make_aware(datetime.datetime.combine(day(1), datetime.time(9))),
    )
    case = actions.take_step(case, "forward", by=agent_cg, on=day(3), mode="assign", handling_body="县住建局")
    case = actions.take_step(case, "receive", by=agent_cg, on=day(5))
    case = actions.take_step(case, "accept", by=agent_cg, on=day(8))
    case = actions.take_step(case, "conclude", by=agent_cg, on=day(50), opinion="support", document=PDF)
    return actions.take_step(case, "deliver", by=agent_cg, on=day(58))


def test_citizen_looks_up_progress_and_rates_once(page, delivered):
    page.goto(page.base_url + "/public/track/")
    assert "退出" not in page.content()  # not logged in: no staff navigation
    shot(page, "public-01-track")
    check(page)

    page.get_by_label("查询码").fill("K7MPX3QW9RTB")
    page.get_by_label("手机号后四位").fill(LAST4)
    page.get_by_role("button", name="查询").click()
    page.get_by_text("查询码或手机号后四位不正确").wait_for()
    assert page.get_by_label("手机号后四位").input_value() == ""  # the digits are not sent back
    shot(page, "public-02-wrong")
    check(page, "errors")

    page.get_by_label("查询码").fill(CODE.lower())
    page.get_by_label("手机号后四位").fill(LAST4)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="办理进度").wait_for()
    steps = page.locator("section", has=page.get_by_role("heading", name="办理环节")).inner_text()
    for label in ("网上提交投诉", "转送、交办有权处理机关", "受理", "办结", "答复送达信访人"):
        assert label in steps
    assert delivered.number in page.content() and "已送达答复" in page.content()
    assert (
        "李某某" not in page.content()
        and "排水沟" not in page.content()
        and "13912345678" not in page.content()
    )
    shot(page, "public-03-progress")
    check(page, "progress")

    page.locator("#id_office_satisfaction").get_by_label("满意", exact=True).check()
    page.locator("#id_body_satisfaction").get_by_label("基本满意", exact=True).check()
    page.get_by_label("具体意见（选填）").fill("代理员跑前跑后，办理及时。")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_role("heading", name="评价已提交").wait_for()
    shot(page, "public-04-rated")
    check(page)
    rating = Rating.objects.get(case=delivered)
    assert (rating.channel, rating.office_satisfaction, rating.body_satisfaction) == (
        "public",
        "satisfied",
        "basically",
    )

    # Looking up again shows the rating is done, and no second form.
    page.get_by_role("link", name="返回查询").click()
    page.get_by_label("查询码").fill(CODE)
    page.get_by_label("手机号后四位").fill(LAST4)
    page.get_by_role("button", name="查询").click()
    page.get_by_text("该事项已评价").wait_for()
    assert page.get_by_role("button", name="提交评价").count() == 0


def test_public_pages_fit_a_phone(page, delivered, agent_zj):
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/public/agents/", "public-05-agents-phone"),
        ("/public/guide/", "public-06-guide-phone"),
        ("/public/track/", "public-07-track-phone"),
    ):
        page.goto(page.base_url + path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        shot(page, name)
        check(page)
    page.get_by_label("查询码").fill(CODE)
    page.get_by_label("手机号后四位").fill(LAST4)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="办理进度").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "public-07b-progress-phone")
    page.goto(page.base_url + "/public/agents/")
    assert (
        "王某某" in page.content()
        and "赵某某" in page.content()
        and "城关镇便民服务中心二楼" in page.content()
    )


def test_agent_prints_the_contact_cards_and_the_flyer(page, delivered, agent_cg):
    from tests.test_browser_handling import log_in

    log_in(page, "wang")
    page.get_by_role("link", name="联系卡", exact=True).click()
    check(page)
    page.get_by_role("link", name="打印").first.click()
    check(page)
    assert page.locator(".contact-card").count() == 8
    assert "王某某" in page.content() and page.base_url + "/public/track/" in page.content()
    assert pdf_pages(page) == 1  # eight cards on one A4 sheet
    page.set_viewport_size({"width": 643, "height": 972})  # 170 × 257 mm: A4 inside the margins
    shot(page, "public-08-cards-print")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="返回").click()
    page.get_by_role("link", name="打印").nth(1).click()
    check(page)
    assert "五、找谁代理" in page.content()
    assert pdf_pages(page) == 1  # the flyer is one A4 page
    page.set_viewport_size({"width": 680, "height": 1009})  # 180 × 267 mm
    shot(page, "public-09-flyer-print")


def pdf_pages(page) -> int:
    """How many A4 pages the browser prints the page on."""
    page.emulate_media(media="print")
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4", prefer_css_page_size=True)))
