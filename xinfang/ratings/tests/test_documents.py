"""The 《网上投诉代理情况反馈表》 (seed 附件2): filled from the case, printed on A4, kept as .docx."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from xinfang.audit.models import AuditEntry
from xinfang.ratings import actions, documents
from xinfang.ratings.tests.factories import ago, feedback_data

QUESTIONS = (
    "1.是否如实通过网络反映您的诉求？",
    "2.是否按时告知受理意见（受理、不予受理或不再受理）？",
    "3.是否及时转送有权处理机关？",
    "4.您对代理工作作出评价？",
)


@pytest.fixture
def filled(agent_cg, delivered):
    return actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data())


def opening(case) -> str:
    d = case.concluded_on
    return (
        f"您好！您委托王某某代理员反映{case.title}事项，已由有权处理机关处理，于{d.year}年{d.month}月{d.day}日办结，"
        "现将答复意见书（城住建复〔2026〕3号）等1件转送于您，并敬请做出评价。"
    )


def docx_of(case, form=None):
    return Document(io.BytesIO(documents.feedback_docx(case, form)))


def east_asian_font(run) -> str | None:
    fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


# --- what the form says -------------------------------------------------------------------------------------


def test_sheet_fills_the_seed_wording(delivered, filled):
    sheet = documents.feedback_sheet(delivered, filled)

    assert sheet.title == "网上投诉代理情况反馈表"
    assert sheet.greeting == "李某某同志："
    assert sheet.opening_text == opening(delivered)
    assert [q.text for q in sheet.questions] == list(QUESTIONS)
    assert [q.answer for q in sheet.questions] == [
        "是（√），不是（　）",
        "是（√），不是（　）",
        "是（　），不是（√）",
        "好（　），较好（√），差（　）",
    ]
    assert sheet.office.answer == "满意（√），基本满意（　）"
    assert (
        sheet.office.reasons_text
        == "（　）信访事项转交效率（　）信访部门协调督办工作（　）信访部门答疑解惑工作（　）其他"
    )
    # 不满意 is said by the reasons: neither 满意 nor 基本满意 is ticked.
    assert sheet.body.answer == "满意（　），基本满意（　）"
    assert sheet.body.reasons_text == (
        "（√）工作人员态度（　）法规政策宣传解释不到位（　）不依法依规处理问题（　）办理过程不公开透明"
        "（√）合理诉求未解决（　）处理意见未落实到位（　）其他"
    )
    assert sheet.body.comment == "排水沟仍未疏通"
    assert sheet.delivered_by == "张某某、刘某某"
    d = ago(2)
    assert sheet.delivered_at == sheet.signed_on == f"{d.year}年{d.month}月{d.day}日"


def test_blank_sheet_leaves_the_blanks_for_the_pen(concluded):
    sheet = documents.feedback_sheet(concluded)

    assert "现将答复意见书　　　　　　　　等　　　件转送于您" in sheet.opening_text
    assert all("√" not in q.answer for q in sheet.questions)
    assert sheet.delivered_by == "" and sheet.delivered_at == "　　年　　月　　日"


def test_documents_already_named_as_reply_are_not_doubled(agent_cg, delivered):
    form = actions.save_feedback_form(
        delivered, by=agent_cg, data=feedback_data(documents="答复意见书及现场照片")
    )
    assert "现将答复意见书及现场照片等1件" in documents.feedback_sheet(delivered, form).opening_text


# --- the .docx ----------------------------------------------------------------------------------------------


def test_docx_holds_the_filled_form(delivered, filled):
    document = docx_of(delivered, filled)
    text = "\n".join(p.text for p in document.paragraphs)

    assert document.paragraphs[0].text == "网上投诉代理情况反馈表"
    assert "李某某同志：" in text and opening(delivered) in text
    for heading in ("一、对代理员工作评价", "二、对信访机构满意度评价", "三、对责任机关处理意见评价"):
        assert heading in text
    for question in QUESTIONS:
        assert question in text
    assert "1.是否如实通过网络反映您的诉求？\t是（√），不是（　）" in text
    assert "不满意原因：（√）工作人员态度" in text
    assert "具体意见内容：排水沟仍未疏通" in text
    assert "送达人：张某某、刘某某\t送达时间：" in text
    assert "委托人（信访人）签字：" in text
    assert f"编号：{delivered.number}" in document.sections[0].header.paragraphs[0].text
    assert document.core_properties.title == "网上投诉代理情况反馈表"


def test_blank_docx_keeps_the_prompt_for_two_staff(concluded):
    text = "\n".join(p.text for p in docx_of(concluded).paragraphs)
    assert "(至少2名工作人员)" in text and "年　　月　　日" in text


def test_docx_is_a4_with_chinese_fonts_set_as_east_asian(delivered, filled):
    document = docx_of(delivered, filled)
    section = document.sections[0]

    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    title = document.paragraphs[0].runs[0]
    assert east_asian_font(title) == "方正小标宋简体" and title.font.size.pt == 22  # 二号
    runs = [run for p in document.paragraphs[1:] for run in p.runs if run.text.strip()]
    headings = {run.text for run in runs if east_asian_font(run) == "黑体"}
    assert headings == {"一、对代理员工作评价", "二、对信访机构满意度评价", "三、对责任机关处理意见评价"}
    assert {east_asian_font(run) for run in runs if run.text not in headings} == {"仿宋_GB2312"}
    assert {run.font.size.pt for run in runs} == {14}  # 四号: one page, like the paper form
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


# --- over HTTP ----------------------------------------------------------------------------------------------


def test_print_view_reproduces_the_form_and_is_audited(client, agent_cg, delivered, filled):
    client.force_login(agent_cg)

    response = client.get(reverse("ratings:feedback_print", args=[delivered.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "网上投诉代理情况反馈表" in body and "李某某同志：" in body
    for question in QUESTIONS:
        assert question in body
    assert "是（√），不是（　）" in body and "（√）合理诉求未解决" in body
    assert "张某某、刘某某" in body and "委托人（信访人）签字：" in body
    assert reverse("ratings:feedback_docx", args=[delivered.pk]) in body
    assert "data-print" in body and "<script>" not in body and "style=" not in body
    entry = AuditEntry.objects.get(action="print", target_id=str(delivered.pk))
    assert entry.actor == agent_cg and entry.detail == {"document": "feedback", "format": "html"}


def test_blank_print_before_the_form_is_filled(client, agent_cg, concluded):
    client.force_login(agent_cg)
    body = client.get(reverse("ratings:feedback_print", args=[concluded.pk])).content.decode()
    assert "(至少2名工作人员)" in body and "尚未填写" in body


def test_not_printed_before_conclusion(client, agent_cg, make_case):
    case = make_case(agent_cg, serial=4)
    client.force_login(agent_cg)

    response = client.get(reverse("ratings:feedback_print", args=[case.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert not AuditEntry.objects.filter(action="print").exists()


@pytest.mark.parametrize("persona", ["agent_cg", "head_cg", "bureau_user"])
def test_docx_download_is_audited(request, client, persona, delivered, filled):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.get(reverse("ratings:feedback_docx", args=[delivered.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert opening(delivered) in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert AuditEntry.objects.filter(action="print", actor=user, detail__format="docx").exists()


# --- the lines that must not break --------------------------------------------------------------------------


def _lines(paragraph) -> list[str]:
    """The paragraph's text split at its explicit line breaks (w:br)."""
    text = ""
    for run in paragraph.runs:
        for child in run._r.iterchildren():
            if child.tag == qn("w:br"):
                text += "\n"
            elif child.tag == qn("w:t"):
                text += child.text or ""
            elif child.tag == qn("w:tab"):
                text += "\t"
    return text.split("\n")


@pytest.mark.parametrize("filled_in", [False, True])
def test_answers_and_dates_are_never_split(request, delivered, filled_in):
    """Question 2 is too long for its answers on one line at 四号: they go whole to the next
    line's right margin. 送达时间 likewise beside a blank 送达人. Each box of 不满意原因 starts a
    line or follows another whole one."""
    form = request.getfixturevalue("filled") if filled_in else None
    paragraphs = docx_of(delivered, form).paragraphs
    question2 = next(p for p in paragraphs if p.text.startswith("2."))
    assert _lines(question2) == [QUESTIONS[1], "\t" + question2.text.split("\t")[1]]
    assert _lines(question2)[1] == ("\t是（√），不是（　）" if filled_in else "\t是（　），不是（　）")
    question1 = next(p for p in paragraphs if p.text.startswith("1."))
    assert len(_lines(question1)) == 1  # short enough: one line, answers at the right
    delivery = next(p for p in paragraphs if p.text.startswith("送达人："))
    date = delivery.text.split("送达时间：")[1]
    assert date.endswith("日") and "\n" not in date
    if not filled_in:  # 「送达人：＿＿＿(至少2名工作人员)　送达时间：　　年　　月　　日」 is too long
        assert _lines(delivery)[1] == "\t送达时间：　　年　　月　　日"
    for reasons in (p for p in paragraphs if p.text.startswith("不满意原因：")):
        for line in _lines(reasons):
            assert line.startswith(("不满意原因：", "（")) and line.count("（") == line.count("）"), line


def _render(content: bytes, tmp_path) -> str:
    """The .docx as LibreOffice lays it out, as text line by line (pdftotext -layout)."""
    source = tmp_path / "反馈表.docx"
    source.write_bytes(content)
    subprocess.run(  # noqa: S603 - LibreOffice on a file of our own
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return subprocess.run(  # noqa: S603 - poppler on the file LibreOffice wrote
        [PDFTOTEXT, "-layout", str(tmp_path / "反馈表.pdf"), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip


SOFFICE, PDFTOTEXT = shutil.which("soffice") or "", shutil.which("pdftotext") or ""


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice or pdftotext not installed")
def test_libreoffice_keeps_the_answers_and_the_date_on_their_lines(delivered, tmp_path):
    lines = [
        line.strip() for line in _render(documents.feedback_docx(delivered, None), tmp_path).splitlines()
    ]
    text = "\n".join(lines)
    assert re.search(r"^是（\s*），不是（\s*）$", text, re.M), text  # question 2's answers, whole
    assert re.search(r"送达时间：\s*年\s*月\s*日$", text, re.M), text
    assert not any(line.startswith(("）", "日", "不是")) or line.endswith("（") for line in lines), text
