"""Documents filled from a case: the 《网上投诉代理授权委托书》 (seed 附件1).

`authorization_letter` decides once what the form says; the A4 print view
(cases/authorization_print.html) and `authorization_docx` only lay it out, so the
printed page and the Word file cannot say different things.

The layout follows 附件1: one bordered table of six columns, whose rows are
委托人 (姓名、家庭住址、联系电话), 代理人 (姓名、单位、联系电话), the statement,
and the two signature rows (委托人 签字（盖章、指印）, 信访代理人 签字), each with
年 月 日 left blank: the dates are written by hand when the letter is signed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from xinfang.accounts.models import AgentProfile, UnitKind
from xinfang.cases.models import AuthorizationMode
from xinfang.core.docx import DOCX, add_run, new_document, safe_text, set_east_asian, set_font
from xinfang.core.masking import mask_address, mask_phone

__all__ = [
    "DOCX",
    "authorization_docx",
    "authorization_letter",
    "authorization_letters",
    "office_name",
    "setup_page",
]


TITLE = "网上投诉代理授权委托书"
OFFICE = "（网上投诉代理办公室）"
# The wording of 附件1, word for word; only the two blanks (xx, xxx) are filled.
STATEMENT = (
    "我现委托{office}{agent}作为我的信访事项代理人，代我向有关部门提出信访事项，"
    "并代我配合镇和有关部门依法处理我的信访事项。在委托代理期间，我承诺不再上访。"
)
# One letter listing several petitioners (联名) speaks for all of them.
STATEMENT_JOINT = (
    STATEMENT.replace("我的", "我们的")
    .replace("代我", "代我们")
    .replace("我现委托", "我们现委托")
    .replace("我承诺", "我们承诺")
)
CONFIRMED_NOTE = "（代理员代为填写，经委托人确认）"
DATE_BLANK = "年　　月　　日"  # full-width spaces: room for the hand-written date
TOWN_SUFFIXES = ("镇", "乡", "街道", "街道办事处")

# Fonts of Chinese official papers. Word and WPS substitute 宋体 for 方正小标宋简体
# where it is not installed, which is the fallback the offices expect.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
SMALL_SIZE = Pt(12)  # 小四, for the case number in the page header

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2.5)
# Column widths (cm) add up to the 16 cm between the margins. At 三号 a Chinese
# character is 0.56 cm wide: the first column holds 「委托人姓名」「信访代理人」 on one
# line, the two label columns wrap 「家庭住址」「联系电话」 as two characters a line, and
# the last column holds an eleven-digit mobile number with room to spare, also where a
# substitute font draws digits wider than half a character (seen in LibreOffice).
COLUMNS_CM = (3.3, 2.0, 1.6, 3.1, 1.6, 4.4)
CELL_MARGIN_TWIPS = 57  # 0.1 cm left and right inside a cell


@dataclass(frozen=True)
class Party:
    """One of the two party rows: 委托人 or 代理人."""

    role: str
    name: str
    detail_label: str  # 家庭住址 for the petitioner, 单位 for the agent
    detail: str
    phones: tuple[str, ...]  # each on its own line on paper

    @property
    def phone(self) -> str:
        return "、".join(self.phones)


@dataclass(frozen=True)
class Signature:
    role: str
    prompt: str
    note: str = ""


@dataclass(frozen=True)
class AuthorizationLetter:
    number: str
    principals: tuple[Party, ...]  # the petitioners it speaks for: all of a 联名 case, or one
    agent: Party
    office: str
    statement: str
    signatures: tuple[Signature, ...]
    title: str = TITLE
    date_blank: str = DATE_BLANK

    @property
    def principal(self) -> Party:
        return self.principals[0]

    @property
    def parties(self) -> tuple[Party, ...]:
        return (*self.principals, self.agent)


def office_name(unit) -> str:
    """Fill 「xx 镇（部门）（网上投诉代理办公室）」 for a unit.

    On the paper form 「镇（部门）」 is a choice: the writer puts a town's name
    before 镇, or a department's name and strikes 镇. Our unit names are already
    whole (「城关镇」, 「县人社局」, 「县信访局」), so the unit's name takes the place
    of all of 「xx 镇（部门）」: adding 镇 would give 「城关镇镇」, and adding
    「（部门）」 would leave the form's own prompt in a signed letter. Only a town
    recorded without its 镇 gets it back.
    """
    name = unit.name
    if unit.kind == UnitKind.TOWN and not name.endswith(TOWN_SUFFIXES):
        name += "镇"
    return name + OFFICE


def agent_phones(agent) -> tuple[str, ...]:
    """The number the agent signs with (mobile, else office phone); none without a profile."""
    try:
        phone = agent.profile.contact_phone
    except AgentProfile.DoesNotExist:
        return ()
    return (phone,) if phone else ()


def petitioner_phones(petitioner) -> tuple[str, ...]:
    """The mobile, then the landline where there is one."""
    return tuple(number for number in (petitioner.mobile, petitioner.landline) if number)


def _principal(person, *, masked: bool) -> Party:
    if masked:
        phones = tuple(mask_phone(n) for n in petitioner_phones(person))
        return Party("委托人", person.name, "家庭住址", mask_address(person.address), phones)
    return Party("委托人", person.name, "家庭住址", person.address, petitioner_phones(person))


def authorization_letter(case, people=None, *, masked: bool = False) -> AuthorizationLetter:
    """What the 授权委托书 of this case says, for ``people`` (its petitioners as registered, by
    default all of them: one letter listing every petitioner of a 联名 case). Reads the case;
    changes nothing. The agent is the case's agent now: after a handover, a new letter.
    ``masked``: the petitioners' addresses and phones partly hidden (the case file's copy)."""
    people = list(case.petitioners() if people is None else people)
    agent = case.agent
    office = office_name(case.unit)
    # The letter is normally printed before the filling mode is recorded; the note
    # only appears on a reprint once the case says the agent filled it in.
    note = CONFIRMED_NOTE if case.authorization_mode == AuthorizationMode.CONFIRMED else ""
    statement = STATEMENT if len(people) == 1 else STATEMENT_JOINT
    signatures: tuple[Signature, ...]
    if len(people) == 1:
        signatures = (Signature("委托人", "签字（盖章、指印）", note),)
    else:
        signatures = tuple(Signature("委托人", f"{p.name}　签字（盖章、指印）", note) for p in people)
    return AuthorizationLetter(
        number=case.number,
        principals=tuple(_principal(p, masked=masked) for p in people),
        agent=Party("代理人", agent.full_name, "单位", case.unit.name, agent_phones(agent)),
        office=office,
        statement=statement.format(office=office, agent=agent.full_name),
        signatures=(*signatures, Signature("信访代理人", "签字")),
    )


def authorization_letters(case, *, each: bool = False, masked: bool = False) -> list[AuthorizationLetter]:
    """The letters to print: one listing every petitioner, or one for each (as the office prefers)."""
    if not each:
        return [authorization_letter(case, masked=masked)]
    return [authorization_letter(case, [person], masked=masked) for person in case.petitioners()]


# --- .docx -----------------------------------------------------------------------------------------------


def _paragraph(container, text: str = "", *, font_name: str = BODY_FONT, size=BODY_SIZE, align=None):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if text:
        set_font(add_run(paragraph, text), font_name, size)
    return paragraph


def _cell_text(cell, text: str | tuple[str, ...]) -> None:
    """Write into a fresh cell's single paragraph, centred both ways; a tuple gives one line each."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, line in enumerate((text,) if isinstance(text, str) else text):
        run = paragraph.add_run()
        set_font(run, BODY_FONT, BODY_SIZE)
        if index:
            run.add_break()
        run.add_text(safe_text(line))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def setup_page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = MARGIN
    section.left_margin = section.right_margin = MARGIN

    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    set_east_asian(normal.element, BODY_FONT)
    # Chinese line-breaking rules (no 「，」 at the start of a line) follow the language.
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0

    props = document.core_properties
    props.title = TITLE
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""


def _table_borders_and_margins(table) -> None:
    tbl_pr = table._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(round(Cm(cm).twips) for cm in COLUMNS_CM)))
    width.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "8"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # Children of w:tblPr have a fixed order in the schema; Word refuses files that break it.
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.insert_element_before(
        width,
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
    )
    tbl_pr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _letter_table(document, letter: AuthorizationLetter):
    parties = len(letter.parties)
    table = document.add_table(rows=parties + 1 + len(letter.signatures), cols=len(COLUMNS_CM))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_borders_and_margins(table)
    for column, cm in zip(table.columns, COLUMNS_CM, strict=True):
        column.width = Cm(cm)
    for row in table.rows:
        for cell, cm in zip(row.cells, COLUMNS_CM, strict=True):
            cell.width = Cm(cm)

    for row, party in zip(table.rows[:parties], letter.parties, strict=True):
        row.height, row.height_rule = Cm(1.8), WD_ROW_HEIGHT_RULE.AT_LEAST
        values: tuple[str | tuple[str, ...], ...] = (
            f"{party.role}姓名",
            party.name,
            party.detail_label,
            party.detail,
            "联系电话",
            party.phones,
        )
        for cell, text in zip(row.cells, values, strict=True):
            _cell_text(cell, text)

    statement_row = table.rows[parties]
    statement_row.height, statement_row.height_rule = Cm(4.5), WD_ROW_HEIGHT_RULE.AT_LEAST
    cell = statement_row.cells[0].merge(statement_row.cells[-1])
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(BODY_SIZE.pt * 2)  # two characters, as Chinese paragraphs begin
    fmt.line_spacing = Pt(30)  # a Length makes it exact spacing
    set_font(add_run(paragraph, letter.statement), BODY_FONT, BODY_SIZE)

    signature_height = Cm(4.2 if len(letter.signatures) <= 2 else 2.6)
    for row, signature in zip(table.rows[parties + 1 :], letter.signatures, strict=True):
        row.height, row.height_rule = signature_height, WD_ROW_HEIGHT_RULE.AT_LEAST
        _cell_text(row.cells[0], signature.role)
        cell = row.cells[1].merge(row.cells[-1])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        prompt = cell.paragraphs[0]
        prompt.paragraph_format.space_before = Pt(8)
        set_font(add_run(prompt, signature.prompt), BODY_FONT, BODY_SIZE)
        if signature.note:
            _paragraph(cell, signature.note, size=SMALL_SIZE)
        for _ in range(2):
            _paragraph(cell)  # room for the signature, fingerprint or seal
        date = _paragraph(cell, letter.date_blank, align=WD_ALIGN_PARAGRAPH.RIGHT)
        date.paragraph_format.right_indent = Cm(1)
        date.paragraph_format.space_after = Pt(8)
    return table


def authorization_docx(case, *, each: bool = False, masked: bool = False) -> bytes:
    """The 授权委托书 of the case as a .docx (A4, 三号仿宋), to print or finish in WPS or Word:
    one letter, or one per petitioner (``each``), each on its own page."""
    document = new_document()
    setup_page(document)
    letters = authorization_letters(case, each=each, masked=masked)

    # The case number ties the signed paper back to its case when the scan is filed.
    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(add_run(header, f"编号：{case.number}"), BODY_FONT, SMALL_SIZE)

    for index, letter in enumerate(letters):
        title = _paragraph(
            document, letter.title, font_name=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
        )
        if index:
            title.paragraph_format.page_break_before = True
        title.paragraph_format.space_after = Pt(24)
        _letter_table(document, letter)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
