"""What the public pages and the printed materials say, and the 联系卡 and 宣传页 as .docx.

The guide page, the flyer's print view and the flyer's .docx read the same text from here,
so a citizen is told the same thing on screen and on paper. The wording follows the seed
notice (附件 三(一) 代理范围, 三(三) 投诉流程, 三(五) 反馈评价; 四 合法、自愿、公益、真实) and
《信访工作条例》第23, 34-36条 for the periods it mentions.

The lookup address printed on cards is ``settings.XINFANG_PUBLIC_URL`` (the site's public
address, e.g. ``https://xf.zhenping.gov.cn``) followed by the page's path; where that setting is
absent, the address the request came in on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from xinfang.accounts.models import Unit
from xinfang.cases.documents import office_name
from xinfang.cases.models import RespondentKind
from xinfang.core.docx import DOCX, add_run, new_document, safe_text, set_east_asian
from xinfang.public import selectors
from xinfang.reference.models import PLATFORMS, SubmissionPlatform

__all__ = ["DOCX", "card_docx", "contact_card", "flyer", "flyer_docx", "guide"]

# --- The words ------------------------------------------------------------------------------------

SERVICE_NAME = "网上投诉代理"
SUMMARY = (
    "对行政机关等组织、人员的职务行为有建议、意见，或者不服其职务行为的，可以到各镇、"
    "县级各部门的网上投诉代理办公室，请代理员帮您在网上提交投诉、跟踪办理进度、引导评价。"
)
PRINCIPLES = "代理遵循合法、自愿、公益、真实的原则：不收取任何费用，不强行代理，不歪曲您的意愿。"
BODY_KINDS = tuple(label for value, label in RespondentKind.choices if value != RespondentKind.NONE)
OUT_OF_SCOPE = (
    "依法应当通过诉讼、仲裁、行政复议等法定途径解决的投诉请求，不属于网上投诉代理范围。"
    "代理员会告诉您应当向哪个机关、按什么程序提出。"
)
LEGAL_CHANNELS = (
    ("诉讼", "已经或者应当向人民法院起诉的纠纷，如个人之间、企业之间的民事纠纷。"),
    ("仲裁", "依法应当先申请仲裁的争议，如劳动人事争议。"),
    ("行政复议", "对行政机关作出的行政行为不服，依法可以申请行政复议的。"),
)
REVIEW_NOTE = (
    "对有权处理机关的处理意见不服的，可以自收到书面答复之日起30日内请求复查；"
    "对复查意见不服的，可以自收到之日起30日内请求复核。"
)
WHAT_TO_BRING = (
    "本人居民身份证；",
    "本人常用的手机（注册网上信访大厅时使用，请记住手机号码）；",
    "与反映事项有关的材料，如合同、证明、通知、照片等，代理员扫描后作为附件上传；",
    "已有处理意见书、复查复核意见书的，请一并带来。",
)
STEPS = (
    "到网上投诉代理办公室，代理员向您介绍网上投诉并现场演示。您自愿委托的，签订《网上投诉代理授权委托书》；"
    "不能填写的，可由代理员代为填写，经您确认。",
    "代理员进入{platform}（{url}），选择本县相关信访部门，点击“我要写信”，用您的姓名、身份证号码和手机号码注册。",
    "代理员按您的意愿填写诉求标题和内容，扫描上传材料后提交，并告诉您查询码。查询码请妥善保管，不要告诉他人。",
    "有权处理机关依法受理、办理并答复：一般自收到之日起15日内告知是否受理，自受理之日起60日内办结。"
    "代理员跟踪督促，您可以凭查询码随时查询办理进度。",
    "收到答复后，凭查询码对信访机构和有权处理机关的工作作出满意度评价；也可以请代理员按您的真实意见代为评价。",
)
SELF_SERVICE = "会使用电脑或手机的，也可以自己登录{platform}（{url}）投诉，同样可以凭查询码查询和评价。"
TRACK_HINT = "凭查询码和手机号后四位查询办理进度、评价办理结果："
DIRECTORY_HINT = "全县代理员名单和联系电话："


@dataclass(frozen=True)
class Platform:
    name: str
    url: str


def provincial_platform() -> Platform:
    """The provincial platform where complaints are filed, as kept in the reference table."""
    row = SubmissionPlatform.objects.active().exclude(url="").order_by("sort_order", "id").first()
    if row is None:
        return Platform(*PLATFORMS[0])
    return Platform(row.name, row.url)


@dataclass(frozen=True)
class Guide:
    summary: str
    principles: str
    body_kinds: tuple[str, ...]
    out_of_scope: str
    legal_channels: tuple[tuple[str, str], ...]
    review_note: str
    what_to_bring: tuple[str, ...]
    steps: tuple[str, ...]
    self_service: str
    platform: Platform


def guide() -> Guide:
    platform = provincial_platform()
    return Guide(
        summary=SUMMARY,
        principles=PRINCIPLES,
        body_kinds=BODY_KINDS,
        out_of_scope=OUT_OF_SCOPE,
        legal_channels=LEGAL_CHANNELS,
        review_note=REVIEW_NOTE,
        what_to_bring=WHAT_TO_BRING,
        steps=tuple(step.format(platform=platform.name, url=platform.url) for step in STEPS),
        self_service=SELF_SERVICE.format(platform=platform.name, url=platform.url),
        platform=platform,
    )


def public_address(request, url_name: str) -> str:
    """The address of a public page as printed on paper (see the module's docstring)."""
    path = reverse(url_name)
    base = (getattr(settings, "XINFANG_PUBLIC_URL", "") or "").strip().rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


# --- The contact card and the flyer of one unit ------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    name: str
    title: str
    phone: str


@dataclass(frozen=True)
class UnitMaterial:
    """What a unit's card and flyer carry: its office, its published agents, and where to look up."""

    unit_name: str
    office: str
    address: str
    office_phone: str
    agents: tuple[Agent, ...]
    summary: str
    principles: str
    track_url: str
    directory_url: str
    guide: Guide

    @property
    def phones(self) -> str:
        return "、".join(agent.phone for agent in self.agents if agent.phone)


def _material(unit: Unit, request) -> UnitMaterial:
    groups = selectors.agent_directory(Unit.objects.filter(pk=unit.pk))
    profiles = groups[0].agents if groups else []
    return UnitMaterial(
        unit_name=unit.name,
        office=office_name(unit).replace("（", "").replace("）", ""),
        address=unit.office_address,
        office_phone=unit.office_phone,
        agents=tuple(Agent(p.user.full_name, p.title or "代理员", p.contact_phone) for p in profiles),
        summary=SUMMARY,
        principles=PRINCIPLES,
        track_url=public_address(request, "public:track"),
        directory_url=public_address(request, "public:agents"),
        guide=guide(),
    )


CARDS_PER_PAGE = 8  # two columns of four, 8.5 × 6 cm each, inside A4's 2 cm margins


def contact_card(unit: Unit, request) -> UnitMaterial:
    return _material(unit, request)


def flyer(unit: Unit, request) -> UnitMaterial:
    return _material(unit, request)


# --- .docx -----------------------------------------------------------------------------------------

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2)
CARD_WIDTH, CARD_HEIGHT = Cm(8.5), Cm(6)


def _run(paragraph, text: str, *, font_name: str = BODY_FONT, size: float = 12, bold: bool = False):
    run = add_run(paragraph, text)
    run.font.name = font_name
    run.font.size = Pt(size)
    run.bold = bold or None
    set_east_asian(run._element, font_name)
    return run


def _paragraph(
    container,
    text: str = "",
    *,
    font_name: str = BODY_FONT,
    size: float = 12,
    align=None,
    before: float = 0,
    after: float = 0,
    line: float | None = None,
):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line is not None:
        fmt.line_spacing = Pt(line)  # a Length makes it exact spacing
    if text:
        _run(paragraph, text, font_name=font_name, size=size)
    return paragraph


def _document(title: str, margin=MARGIN):
    document = new_document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = margin
    section.header_distance = section.footer_distance = Cm(1)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(12)
    set_east_asian(normal.element, BODY_FONT)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    props = document.core_properties
    props.title, props.author, props.last_modified_by, props.comments = safe_text(title), "", "", ""
    return document


def _borders(table, *, style: str = "single", inside: bool = True) -> None:
    borders = OxmlElement("w:tblBorders")
    edges = ("top", "left", "bottom", "right") + (("insideH", "insideV") if inside else ())
    for edge in edges:
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", style), ("sz", "6"), ("space", "0"), ("color", "808080")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    table._tbl.tblPr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )


def _fixed_layout(table) -> None:
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.insert_element_before(
        layout, "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _card_cell(cell, card: UnitMaterial) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    title = cell.paragraphs[0]
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, card.office, font_name=HEADING_FONT, size=11)
    _paragraph(cell, "联系卡 · 免费代理 · 自愿委托", size=9, align=WD_ALIGN_PARAGRAPH.CENTER, after=3)
    size = 10.5 if len(card.agents) <= 3 else 9
    for agent in card.agents:
        line = _paragraph(cell, line=size + 4)
        _run(line, agent.name, font_name=HEADING_FONT, size=size)
        _run(line, f"  {agent.title}  {agent.phone}", size=size)
    if card.address:
        _paragraph(cell, f"地址：{card.address}", size=9, before=2, line=12)
    if card.office_phone:
        _paragraph(cell, f"办公电话：{card.office_phone}", size=9, line=12)
    _paragraph(cell, "查询进度、评价结果：", size=9, before=2, line=12)
    _paragraph(cell, card.track_url, font_name="Arial", size=8, line=11)


def card_docx(card: UnitMaterial) -> bytes:
    """An A4 sheet of eight identical contact cards (8.5 × 6 cm), with cut lines."""
    document = _document(f"{card.office}联系卡")
    table = document.add_table(rows=CARDS_PER_PAGE // 2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table)
    _borders(table, style="dashed")
    for row in table.rows:
        row.height, row.height_rule = CARD_HEIGHT, WD_ROW_HEIGHT_RULE.EXACTLY
        for cell in row.cells:
            cell.width = CARD_WIDTH
            _card_cell(cell, card)
    for column in table.columns:
        column.width = CARD_WIDTH
    # Word needs a paragraph after a table; a tiny one keeps the sheet on one page.
    _paragraph(document, size=1, line=1)
    return _save(document)


def _heading(container, text: str) -> None:
    _paragraph(container, text, font_name=HEADING_FONT, size=FLYER_HEADING, before=4, after=1)


def _body(container, text: str, *, indent: bool = False, hanging: bool = False) -> None:
    paragraph = _paragraph(
        container, text, size=FLYER_BODY, line=FLYER_LINE, align=WD_ALIGN_PARAGRAPH.JUSTIFY
    )
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(FLYER_BODY * 2)
    if hanging:  # a numbered or bulleted item: the lines after the first align with its text
        paragraph.paragraph_format.left_indent = Pt(FLYER_BODY * 1.5)
        paragraph.paragraph_format.first_line_indent = Pt(-FLYER_BODY * 1.5)


def _columns(section, number: int) -> None:
    """Set a section's text columns (w:cols, which python-docx's template always carries)."""
    sect_pr = section._sectPr
    cols = sect_pr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        sect_pr.insert_element_before(
            cols,
            "w:formProt",
            "w:vAlign",
            "w:noEndnote",
            "w:titlePg",
            "w:textDirection",
            "w:bidi",
            "w:rtlGutter",
            "w:docGrid",
            "w:printerSettings",
            "w:sectPrChange",
        )
    cols.set(qn("w:num"), str(number))
    cols.set(qn("w:space"), str(round(FLYER_GAP.twips)))


FLYER_MARGIN, FLYER_GAP = Cm(1.5), Cm(0.8)
FLYER_BODY, FLYER_HEADING, FLYER_LINE = 10.5, 11.5, 15  # 五号; exact line spacing in points


def flyer_docx(material: UnitMaterial) -> bytes:
    """The A4 宣传页 of a unit, laid out as the print view: the title and what the service is
    across the page; what it covers, what to bring and how it works in two columns; then who
    to see and where to look up progress and rate, across the page again."""
    g = material.guide
    document = _document(f"{material.office}宣传页", margin=FLYER_MARGIN)
    _paragraph(
        document, "网上投诉 · 免费代理", font_name=HEADING_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _paragraph(
        document,
        f"{settings.COUNTY_NAME}{material.office}",
        font_name=HEADING_FONT,
        size=13,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=3,
    )
    _body(document, g.summary + g.principles, indent=True)

    _columns(document.add_section(WD_SECTION.CONTINUOUS), 2)
    _heading(document, "一、哪些事项可以代理")
    _body(document, "对下列组织、人员的职务行为提出建议、意见，或者不服其职务行为的：")
    for number, kind in enumerate(g.body_kinds, start=1):
        _body(document, f"{number}. {kind}；", hanging=True)
    _heading(document, "二、哪些事项不能代理")
    _body(document, g.out_of_scope, indent=True)
    for name, text in g.legal_channels:
        _body(document, f"· {name}：{text}", hanging=True)
    _body(document, g.review_note, indent=True)
    _heading(document, "三、请带上")
    for item in g.what_to_bring:
        _body(document, f"· {item}", hanging=True)
    _heading(document, "四、怎样办理")
    for number, step in enumerate(g.steps, start=1):
        _body(document, f"{number}. {step}", hanging=True)

    _columns(document.add_section(WD_SECTION.CONTINUOUS), 1)
    _heading(document, "五、找谁代理")
    table = document.add_table(rows=1 + max(len(material.agents), 1), cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _borders(table)
    for cell, text in zip(table.rows[0].cells, ("代理员", "职务", "联系电话"), strict=True):
        _run(cell.paragraphs[0], text, font_name=HEADING_FONT, size=FLYER_BODY)
    if not material.agents:
        _run(table.rows[1].cells[0].paragraphs[0], "（暂未公开）", size=FLYER_BODY)
    for row, agent in zip(table.rows[1:], material.agents, strict=False):
        for cell, text in zip(row.cells, (agent.name, agent.title, agent.phone), strict=True):
            _run(cell.paragraphs[0], text, size=FLYER_BODY)
    if material.address:
        _body(document, f"办公地址：{material.address}")
    if material.office_phone:
        _body(document, f"办公电话：{material.office_phone}")
    _heading(document, "六、查询进度和评价")
    _body(document, TRACK_HINT + material.track_url)
    _body(document, DIRECTORY_HINT + material.directory_url)
    _body(document, g.self_service)
    return _save(document)
