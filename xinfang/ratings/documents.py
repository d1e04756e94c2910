"""The 《网上投诉代理情况反馈表》 (seed 附件2), filled from the case and its saved form.

As with the 授权委托书 (xinfang.cases.documents), ``feedback_sheet`` decides once what the
paper says; the A4 print view (ratings/feedback_print.html) and ``feedback_docx`` only lay
it out, so the printed page and the Word file cannot say different things.

The wording is 附件2's, word for word. Where a value is known it takes the blank's place and
the blank's prompt goes (「(至少2名工作人员)」 is not printed once the names are there); where
it is not, the blank is left for the pen: a form printed before it is filled in is the one
the staff take to the petitioner. A tick is 「√」 in the brackets. On 附件2 the two bodies
offer only 满意（）and 基本满意（）: 不满意 is said by ticking 不满意原因, so a form saved as
不满意 ticks neither of the two and at least one reason (the action requires one).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Emu, Pt

from xinfang.cases.documents import (
    BODY_FONT,
    MARGIN,
    PAGE_WIDTH,
    SMALL_SIZE,
    TITLE_FONT,
    TITLE_SIZE,
    setup_page,
)
from xinfang.core.docx import DOCX, add_run, new_document, safe_text, set_east_asian, set_font, text_width
from xinfang.ratings.actions import REFUSED
from xinfang.ratings.models import AgentRating, BodyReason, FeedbackForm, OfficeReason, Satisfaction

__all__ = ["DOCX", "FeedbackSheet", "feedback_docx", "feedback_sheet"]

TITLE = "网上投诉代理情况反馈表"
TICK, EMPTY = "√", "　"
FILL_SHORT = "　" * 3
FILL_LONG = "　" * 8
DATE_BLANK = "　　年　　月　　日"
DELIVERERS_PROMPT = "(至少2名工作人员)"

SECTION_AGENT = "一、对代理员工作评价"
SECTION_OFFICE = "二、对信访机构满意度评价"
SECTION_BODY = "三、对责任机关处理意见评价"
QUESTIONS = (
    ("truthful", "1.是否如实通过网络反映您的诉求？"),
    ("notified_in_time", "2.是否按时告知受理意见（受理、不予受理或不再受理）？"),
    ("forwarded_in_time", "3.是否及时转送有权处理机关？"),
)
AGENT_RATING_QUESTION = "4.您对代理工作作出评价？"
REASONS_PROMPT = "不满意原因："
COMMENT_PROMPT = "具体意见内容："
DELIVERERS_LABEL = "送达人："
DELIVERED_AT_LABEL = "送达时间："
SIGNATURE_LABEL = "委托人（信访人）签字："

# The form fits one A4 page, as the paper one does: 四号 rather than the letter's 三号.
FORM_SIZE = Pt(14)  # 四号
HEADING_FONT = "黑体"  # first-level headings 一、二、三 (GB/T 9704-2012 7.3.3)
LINE = Pt(24)  # exact line spacing
TEXT_WIDTH = Emu(PAGE_WIDTH - 2 * MARGIN)
RIGHT_GAP = FORM_SIZE.pt * 2  # at least two characters between a question and its answer


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else DATE_BLANK


@dataclass(frozen=True)
class Mark:
    """One 「label（ ）」 of the form, ticked or not."""

    label: str
    ticked: bool

    @property
    def box(self) -> str:
        return f"（{TICK if self.ticked else EMPTY}）"


def _marks(text: str, marks: tuple[Mark, ...]) -> str:
    return text.join(f"{m.label}{m.box}" for m in marks)


@dataclass(frozen=True)
class Question:
    text: str
    marks: tuple[Mark, ...]

    @property
    def answer(self) -> str:
        """「是（√），不是（　）」"""
        return _marks("，", self.marks)


@dataclass(frozen=True)
class Assessment:
    """二 or 三: 满意（），基本满意（）, the ticked 不满意原因 and the free comment."""

    heading: str
    marks: tuple[Mark, ...]
    reasons: tuple[Mark, ...]
    comment: str

    @property
    def answer(self) -> str:
        return _marks("，", self.marks)

    @property
    def reasons_text(self) -> str:
        """「（√）信访事项转交效率（　）信访部门协调督办工作…」, as on 附件2."""
        return "".join(f"{m.box}{m.label}" for m in self.reasons)


@dataclass(frozen=True)
class FeedbackSheet:
    number: str
    greeting: str
    # The opening sentence in pieces: (text, filled) where filled pieces are the blanks'.
    opening: tuple[tuple[str, bool], ...]
    questions: tuple[Question, ...]
    office: Assessment
    body: Assessment
    delivered_by: str
    delivered_at: str
    signed_on: str
    title: str = TITLE
    section_agent: str = SECTION_AGENT

    @property
    def opening_text(self) -> str:
        return "".join(text for text, _ in self.opening)

    @property
    def assessments(self) -> tuple[Assessment, Assessment]:
        return (self.office, self.body)


def _yes_no(value: bool | None) -> tuple[Mark, ...]:
    return (Mark("是", value is True), Mark("不是", value is False))


def _assessment(heading: str, satisfaction: str | None, reasons_enum, reasons, comment: str) -> Assessment:
    return Assessment(
        heading=heading,
        marks=(
            Mark("满意", satisfaction == Satisfaction.SATISFIED),
            Mark("基本满意", satisfaction == Satisfaction.BASICALLY),
        ),
        reasons=tuple(Mark(label, code in (reasons or ())) for code, label in reasons_enum.choices),
        comment=comment,
    )


def _documents_blank(text: str) -> str:
    # 「现将答复意见书____」: the form prints 答复意见书 itself.
    return text.removeprefix("答复意见书").strip() or EMPTY


def _answered_on(case):
    """The day the body answered: 办结, or the written notice of 不予受理 / 不再受理 (the paper's
    “于____办结” blank is filled with it)."""
    return case.concluded_on or (case.delivered_on if case.status in REFUSED else None)


def feedback_sheet(case, form: FeedbackForm | None = None) -> FeedbackSheet:
    """What the 反馈表 of this case says; a missing form leaves its blanks. Changes nothing."""
    f = form
    opening = (
        ("您好！您委托", False),
        (case.agent.full_name, True),
        ("代理员反映", False),
        (case.title, True),
        ("事项，已由有权处理机关处理，于", False),
        (_cn(_answered_on(case)), bool(_answered_on(case))),
        ("办结，现将答复意见书", False),
        (_documents_blank(f.documents) if f else FILL_LONG, bool(f)),
        ("等", False),
        (str(f.document_count) if f else FILL_SHORT, bool(f)),
        ("件转送于您，并敬请做出评价。", False),
    )
    questions = tuple(Question(text, _yes_no(getattr(f, field) if f else None)) for field, text in QUESTIONS)
    rating = f.agent_rating if f else None
    questions += (
        Question(
            AGENT_RATING_QUESTION, tuple(Mark(label, rating == code) for code, label in AgentRating.choices)
        ),
    )
    return FeedbackSheet(
        number=case.number,
        greeting=f"{case.petitioner.name}同志：",
        opening=opening,
        questions=questions,
        office=_assessment(
            SECTION_OFFICE,
            f.office_satisfaction if f else None,
            OfficeReason,
            f.office_reasons if f else None,
            f.office_comment if f else "",
        ),
        body=_assessment(
            SECTION_BODY,
            f.body_satisfaction if f else None,
            BodyReason,
            f.body_reasons if f else None,
            f.body_comment if f else "",
        ),
        delivered_by=f.delivered_by if f else "",
        delivered_at=_cn(f.delivered_at) if f else DATE_BLANK,
        signed_on=_cn(f.signed_on) if f and f.signed_on else DATE_BLANK,
    )


# --- .docx -----------------------------------------------------------------------------------------------


def _para(document, *, first_line_indent: bool = False, space_before: int = 0):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = LINE
    fmt.space_before = Pt(space_before)
    if first_line_indent:
        fmt.first_line_indent = Pt(FORM_SIZE.pt * 2)
    return paragraph


def _run(paragraph, text: str, *, font_name: str = BODY_FONT, underline: bool = False):
    run = add_run(paragraph, text)
    set_font(run, font_name, FORM_SIZE)
    if underline:
        run.font.underline = True
    return run


def _with_right(document, left, right: str, *, font_name: str = BODY_FONT, space_before: int = 0):
    """Text on the left and ``right`` at the right margin, as the form sets them. ``left`` is a
    text or (text, underlined) pieces. Where both do not fit on one line, ``right`` goes whole to
    the next line's right margin: an answer (「不是（　）」) or a date (「　　年　　月　　日」) is
    never broken."""
    pieces = ((left, False),) if isinstance(left, str) else tuple(left)
    paragraph = _para(document, space_before=space_before)
    paragraph.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    last = None
    for text, underline in pieces:
        last = _run(paragraph, text, font_name=font_name, underline=underline)
    used = text_width("".join(text for text, _ in pieces), FORM_SIZE.pt)
    if used + RIGHT_GAP + text_width(right, FORM_SIZE.pt) > TEXT_WIDTH.pt and last is not None:
        last.add_break()
    _run(paragraph, "\t" + right)
    return paragraph


def _marks_flowing(document, prompt: str, marks: tuple[Mark, ...]):
    """「不满意原因：（　）…（　）…」 over as many lines as it takes, each line broken before a
    「（　）」 so that no box is split: renderers take the blank in a box for a space and break
    there (seen in LibreOffice). A CJK character is exactly one em, so the widths are known."""
    paragraph = _para(document)
    _run(paragraph, prompt)
    used = text_width(prompt, FORM_SIZE.pt)
    for mark in marks:
        text = f"{mark.box}{mark.label}"
        width = text_width(text, FORM_SIZE.pt)
        if used + width > TEXT_WIDTH.pt - FORM_SIZE.pt / 2 and used > 0:
            paragraph.runs[-1].add_break()
            used = 0
        _run(paragraph, text)
        used += width
    return paragraph


def _labelled(document, label: str, value: str, blank: str = FILL_LONG * 2):
    paragraph = _para(document)
    _run(paragraph, label)
    _run(paragraph, value or blank, underline=True)
    return paragraph


def feedback_docx(case, form: FeedbackForm | None = None) -> bytes:
    """The 反馈表 as a .docx (A4, 四号仿宋), to print or finish in WPS or Word."""
    sheet = feedback_sheet(case, form)
    document = new_document()
    setup_page(document)
    normal = document.styles["Normal"]
    normal.font.size = FORM_SIZE
    set_east_asian(normal.element, BODY_FONT)
    document.core_properties.title = safe_text(sheet.title)

    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(add_run(header, f"编号：{sheet.number}"), BODY_FONT, SMALL_SIZE)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(18)
    set_font(add_run(title, sheet.title), TITLE_FONT, TITLE_SIZE)

    _run(_para(document), sheet.greeting)
    opening = _para(document, first_line_indent=True)
    for text, filled in sheet.opening:
        _run(opening, text, underline=filled)

    _run(_para(document, space_before=6), sheet.section_agent, font_name=HEADING_FONT)
    for question in sheet.questions:
        _with_right(document, question.text, question.answer)

    for assessment in sheet.assessments:
        _with_right(document, assessment.heading, assessment.answer, font_name=HEADING_FONT, space_before=6)
        _marks_flowing(document, REASONS_PROMPT, assessment.reasons)
        _labelled(document, COMMENT_PROMPT, assessment.comment)

    deliverers = (
        ((sheet.delivered_by, True),)
        if sheet.delivered_by
        else ((FILL_LONG, False), (DELIVERERS_PROMPT, False))
    )
    _with_right(
        document,
        ((DELIVERERS_LABEL, False), *deliverers),
        f"{DELIVERED_AT_LABEL}{sheet.delivered_at}",
        space_before=12,
    )
    # the petitioner signs by hand on the underlined blank
    _with_right(document, ((SIGNATURE_LABEL, False), (FILL_LONG, True)), sheet.signed_on, space_before=18)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
