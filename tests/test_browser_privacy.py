"""Personal data kept only as long as allowed, in headless Chromium: bureau staff see what is due,
confirm and erase it; then a petitioner asks what is held about them, takes a copy and has
what the law allows deleted."""

from __future__ import annotations

import re

import pytest

from conftest import make_id_number
from tests import browser
from tests.browser import shot
from xinfang.cases.models import Case, Petitioner
from xinfang.privacy import compact
from xinfang.privacy.tests.factories import full_case, referred

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture(autouse=True)
def _short_compaction_wait(monkeypatch):
    # On PostgreSQL the run waits for transactions older than the erasing, on any database of the
    # server: the other test workers' run for as long as their tests. The page is what is tested
    # here (privacy/tests/test_at_rest.py tests the compaction itself).
    monkeypatch.setattr(compact, "WAIT_SECONDS", 2)


def test_bureau_staff_erase_what_is_due_and_answer_a_request(page, bureau_user, agent_cg, make_case):
    old = referred(agent_cg, make_case, serial=81, closed_years_ago=6)
    held = full_case(agent_cg, make_case, serial=82)  # final 10 days ago: inside its period
    browser.log_in(page, "lu")

    page.goto(page.base_url + "/privacy/retention/")
    shot(page, "privacy-retention")
    assert old.number in page.locator("#due").inner_text()
    page.get_by_label(re.compile("我已核对以上到期清单")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="执行到期删除").click()
    assert "已删除（匿名化）：1件事项" in page.locator(".messages").inner_text()
    assert Petitioner.objects.get(pk=old.petitioner_id).id_number == ""

    page.get_by_role("link", name="信访人查阅、复制、删除申请").click()
    browser.check(page)
    page.get_by_label("证件号码").fill(held.values["id_number"])
    page.get_by_label("申请事由及身份核验情况").fill("信访人本人到局申请，已核验居民身份证原件")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("查找")).click()
    shot(page, "privacy-request-found")
    assert held.values["name"] in page.content() and held.case.number in page.content()

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("导出压缩包")).click()
    assert download.value.suggested_filename.endswith(".zip")

    erase = page.locator("form[action$='/erase/']")
    erase.get_by_label("申请事由及身份核验情况").fill("信访人本人申请删除")
    erase.get_by_label(re.compile("确认删除")).check()
    with page.expect_navigation():
        erase.get_by_role("button", name=re.compile("删除")).click()
    shot(page, "privacy-request-erased")
    assert "已删除（匿名化）：1件事项" in page.content()
    assert Case.objects.get(pk=held.case.pk).content == ""
    assert "办理记录" in page.content() and make_id_number(82) not in page.locator("table").last.inner_text()

    page.goto(page.base_url + f"/cases/{held.case.pk}/")
    shot(page, "privacy-case-erased")
    card = page.locator("section.card", has_text="个人信息保存").inner_text()
    assert "已删除：信访人信息、诉求内容和办理中的文字记录、扫描件和附件" in card
    assert held.values["name"] not in page.content() and held.values["content"] not in page.content()
