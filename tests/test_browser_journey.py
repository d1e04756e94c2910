"""An agent of 城关镇 takes a case through steps 1-8 in headless Chromium."""

from __future__ import annotations

import re

import pytest

from conftest import make_id_number
from tests.browser import check, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_journey_from_first_form_to_ledger(page, agent_cg, agent_zj, make_case, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    earlier = make_case(agent_zj, serial=42, title="曾家镇旧事项")
    scan = tmp_path / "委托书.pdf"
    scan.write_bytes(b"%PDF-1.4\n%signed letter\n")
    photo = tmp_path / "材料.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    not_a_pdf = tmp_path / "病毒.pdf"
    not_a_pdf.write_bytes(b"MZ\x90\x00 not a pdf")

    log_in(page, "wang")
    page.wait_for_url(re.compile(r"/cases/work/$"))
    check(page)
    assert "工作台" in page.content()

    # 1-2. Petitioner and complaint; a wrong check digit is explained, the history appears.
    page.get_by_role("link", name="＋ 新登记").click()
    check(page)
    id_number = make_id_number(42)
    wrong = id_number[:17] + ("0" if id_number[17] != "0" else "1")
    page.get_by_label("信访人姓名").fill("李某某")
    page.get_by_label("证件号码").fill(wrong)
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("家庭住址").fill("镇坪县城关镇文彩村三组12号")
    page.get_by_label("证件号码").blur()
    page.get_by_text("校验位不正确").wait_for()
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("证件号码").blur()
    page.get_by_text("此前已有 1 件").wait_for()
    assert "曾家镇旧事项" not in page.content()
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
    page.get_by_label("事发地（镇）").select_option(label="城关镇")
    page.get_by_label("事发地（村、社区或地点）").fill("文彩村")
    page.get_by_label("诉求标题").fill("道路硬化后排水沟堵塞")
    page.get_by_label("诉求内容").fill("2026年8月道路硬化后，排水沟被堵塞，雨天积水进屋。")
    shot(page, "01-new-case")
    page.get_by_role("button", name="保存登记").click()
    page.get_by_text("已登记，编号").wait_for()
    number = re.search(r"城关镇-\d{4}-\d{4}", page.content()).group(0)
    shot(page, "02-detail")
    check(page)

    # 3. Scope.
    page.get_by_role("link", name="判断代理范围").first.click()
    check(page)
    page.get_by_label("属于代理范围，继续办理委托").check()
    page.get_by_role("button", name="确认").click()
    page.get_by_text("已确认属于代理范围").wait_for()

    # 4. The authorization letter, then the signed scan.
    page.get_by_role("link", name="打印授权委托书").click()
    assert "网上投诉代理授权委托书" in page.content() and "李某某" in page.content()
    shot(page, "03-authorization")
    check(page)
    page.go_back()
    page.get_by_role("link", name="登记授权委托").click()
    check(page)
    page.get_by_label("代理员代为填写，信访人确认签字（捺印）").check()
    page.get_by_label("已签字的委托书扫描件").set_input_files(str(scan))
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记授权委托").wait_for()

    # 5. Attachments: a disguised file is refused, a PNG is taken.
    page.get_by_role("link", name="上传附件").first.click()
    check(page)
    page.get_by_label("诉求附件").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="保存").click()
    page.get_by_text("按文件内容判断").wait_for()
    page.get_by_label("诉求附件").set_input_files(str(photo))
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已上传 1 个附件").wait_for()

    # 6. The complaint prepared for the platform, with the agent's line; revealing the ID is explicit.
    page.get_by_role("link", name="网上投诉填报内容").click()
    check(page)
    assert "【城关镇网上投诉代理员王某某，13800000000】，代李某某反映：2026年8月" in page.content()
    assert id_number not in page.content()
    page.locator(".platform-field", has_text="身份证号码").get_by_role("button", name="复制").click()
    page.get_by_text(id_number).wait_for()
    shot(page, "04-prepared")

    # 7. Submission.
    page.get_by_role("link", name="已提交，登记提交信息").click()
    check(page)
    page.get_by_label("平台用户名").fill("li13912345678")
    page.get_by_label("平台密码").fill("Pw-9x!k")
    page.get_by_label("查询码").fill("ZP2026AB12")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记网上提交").wait_for()
    assert "Pw-9x!k" not in page.content()

    # 8. The ledger: found by query code, masked, exported.
    page.get_by_role("link", name="台账").first.click()
    check(page)
    page.get_by_label("按查询码查找").fill("ZP2026AB12")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert number in page.content()
    page.get_by_role("link", name="返回台账").click()
    page.get_by_label("搜索").fill("李某某")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.list tbody tr")
    assert row.count() == 1 and number in row.inner_text()
    assert "139****5678" in row.inner_text() and id_number not in row.inner_text()
    shot(page, "05-ledger")
    # Made in the background: the page counts the rows written, then offers the file.
    page.get_by_role("button", name="导出 Excel").click()
    page.get_by_role("link", name="下载 Excel").wait_for()
    check(page, "ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name="返回台账").click()
    assert earlier.number not in page.content()


def test_the_id_number_error_shows_once_after_saving(page, agent_cg):
    """Saved with a wrong check digit, the form comes back with the error at the ID field only:
    the earlier cases, loaded with the page, do not repeat it under 接待日期; corrected, the error
    goes and the check passes."""
    good = make_id_number(43)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    log_in(page, "wang")
    page.wait_for_url(re.compile(r"/cases/work/$"))
    page.goto(page.base_url + "/cases/new/")
    page.get_by_label("信访人姓名").fill("李某某")
    page.get_by_label("证件号码").fill(wrong)
    page.get_by_role("button", name="保存登记").click()
    page.get_by_text("处需要修改").first.wait_for()
    page.wait_for_load_state("networkidle")  # the earlier cases, posted once the page is there
    check(page, "errors")  # the form with its errors, each tied to its field
    message = page.get_by_text(f"最后一位应为 {good[17]}")
    assert message.count() == 1
    assert page.locator("#id-number-check").get_by_text(f"最后一位应为 {good[17]}").count() == 1
    page.get_by_label("证件号码").fill(good)
    page.get_by_label("证件号码").blur()
    page.get_by_text("证件号码校验通过").wait_for()
    assert message.count() == 0
