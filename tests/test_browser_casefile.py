"""The case file and the printed 台账, in headless Chromium: the agent downloads a case's file
from the case page and prints the month's ledger (A4 landscape); bureau staff download the
full case file on a stated reason."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest

from tests import browser
from tests.browser import SCREENSHOTS, shot
from xinfang.audit.models import AuditEntry
from xinfang.cases.tests.filed import filed_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_file_download_and_the_printed_month(page, agent_cg, bureau_user, make_case, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    case = filed_case(agent_cg, make_case)
    browser.log_in(page, "wang")
    page.wait_for_url(re.compile(r"/cases/work/$"))
    page.goto(page.base_url + f"/cases/{case.pk}/")
    browser.check(page)

    # One click on the case page: the file arrives, every paper listed with its SHA-256.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出案卷（.zip）").click()
    assert download.value.suggested_filename == f"案卷-{case.number}.zip"
    saved = tmp_path / "case.zip"
    download.value.save_as(saved)
    root = f"案卷-{case.number}/"
    with zipfile.ZipFile(saved) as archive:
        sums = archive.read(root + "SHA256SUMS").decode().splitlines()
        assert len(sums) == 8
        for line in sums:
            digest, path = line.split("  ", 1)
            assert hashlib.sha256(archive.read(root + path)).hexdigest() == digest
        manifest = archive.read(root + "清单.txt").decode("utf-8-sig")
    assert "信访人：李某某、张某某（共2人）" in manifest and "09-反馈表/反馈表签字扫描件.pdf" in manifest
    page.get_by_role("link", name="导出案卷（.zip）").wait_for()  # no longer 「正在生成案卷…」

    # The month's 台账 of the own unit, to print: A4 landscape, the header on each page.
    page.get_by_role("link", name="返回台账").click()
    browser.check(page)
    page.get_by_role("link", name="打印月度台账").click()
    browser.check(page)
    page.get_by_label("接待月份").fill(f"{case.received_on:%Y-%m}")
    page.get_by_role("button", name="显示").click()
    page.get_by_role("heading", name="城关镇网上投诉代理台账").wait_for()
    table = page.locator("table.ledger-table")
    assert "超期期限" in table.locator("thead").inner_text()
    assert case.number in table.inner_text() and "逾期6日完成" in table.inner_text()
    shot(page, "casefile-01-ledger-print")
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and page.locator("form.filters").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "casefile-02-ledger-print.pdf").write_bytes(pdf)
    assert re.search(rb"/MediaBox \[0 0 84[12]\.\d+ 59[45]\.\d+\]", pdf)  # A4, landscape
    page.emulate_media(media="screen")

    # Bureau staff: the full copy asks why, then downloads; the reason is in the audit log.
    page.context.clear_cookies()
    browser.log_in(page, "lu")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    browser.check(page)
    page.get_by_role("link", name="导出完整案卷").click()
    browser.check(page)
    page.get_by_label("导出用途").fill("督察")
    page.get_by_role("button", name="导出案卷（.zip）").click()
    page.get_by_text("用途至少写4个字").wait_for()
    page.get_by_label("导出用途").fill("县委督查室调阅完整案卷")
    shot(page, "casefile-03-full-reason")
    with page.expect_download() as full:
        page.get_by_role("button", name="导出案卷（.zip）").click()
    assert full.value.suggested_filename == f"案卷-{case.number}（完整）.zip"
    reasons = AuditEntry.objects.filter(action="export", detail__masked=False).values_list(
        "detail", flat=True
    )
    assert [d["reason"] for d in reasons] == ["县委督查室调阅完整案卷"]
