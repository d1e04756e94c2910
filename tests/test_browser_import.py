"""In headless Chromium: an agent brings in the unit's old Excel 台账. The dry run names the wrong
ID number by sheet, row and column; the corrected file is uploaded in its place; the import
streams its progress; the ledger shows the cases marked 导入."""

from __future__ import annotations

import re

import pytest

from tests import browser
from tests.browser import shot
from xinfang.cases.models import Case
from xinfang.imports.tests.messy import messy_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_dry_run_fix_and_import(page, agent_cg, units, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    browser.log_in(page, "wang")
    page.wait_for_url(re.compile(r"/cases/work/$"))
    page.goto(page.base_url + "/cases/")
    browser.check(page)
    page.get_by_role("link", name="导入原有台账").click()
    browser.check(page)
    page.get_by_role("heading", name="导入原有 Excel 台账").wait_for()

    page.get_by_label("原有台账文件").set_input_files(
        {"name": "城关镇台账.xlsx", "mimeType": XLSX, "buffer": messy_workbook(bad_id=True)}
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("heading", name="导入检查（试导入）").wait_for()
    problems = page.locator("ol.import-problems")
    assert "工作表“2024年”第7行“身份证号”列（C列）：身份证号校验位不正确" in problems.inner_text()
    assert page.get_by_role("button", name=re.compile("确认导入")).count() == 0
    assert "合计行" in page.locator(".import-notes").inner_text()
    shot(page, "60-import-dry-run-problem")

    page.get_by_label("改正后的文件").set_input_files(
        {"name": "城关镇台账（改）.xlsx", "mimeType": XLSX, "buffer": messy_workbook()}
    )
    page.get_by_role("button", name="上传改正后的文件并重新检查").click()
    page.get_by_text("已换上改正后的文件").wait_for()
    assert "将新建 4 件事项" in page.locator(".import-summary").inner_text()
    rows = page.locator("table.list").first.inner_text()
    assert "李某某" in rows and "新增一版信访人信息" in rows
    shot(page, "61-import-dry-run-clean")

    page.get_by_role("button", name="确认导入 4 件").click()
    page.get_by_text("导入完成：新建 4 件事项").wait_for()
    assert page.locator(".import-progress progress").count() >= 1
    shot(page, "62-import-done")
    assert Case.objects.filter(unit=units["chengguan"]).count() == 4

    page.get_by_role("link", name="台账").last.click()
    browser.check(page)
    page.get_by_role("heading", name="网上投诉代理台账").wait_for()
    assert page.locator(".badge-imported").count() == 4
    page.get_by_role("link", name="城关镇-2024-0001").click()
    assert "从原有台账导入" in page.locator("body").inner_text()
    shot(page, "63-imported-case")
