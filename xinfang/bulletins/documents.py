"""The monthly 通报 as a .docx in the layout of GB/T 9704-2012 《党政机关公文格式》.

- Page A4 (210 × 297 mm); margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (5.2.1, 5.2.2
  give 天头 37 mm and 订口 28 mm with a 156 × 225 mm text block).
- 发文机关标志 in red 方正小标宋简体, the 发文字号 centred under it, a red line below (7.2).
- Title 方正小标宋简体 二号 (22 pt), centred (7.3.1); body 仿宋_GB2312 三号 (16 pt) (5.2.3);
  first-level headings 「一、」 in 黑体, second-level 「（一）」 in 楷体_GB2312 (7.3.3).
  Every font is set as the East Asian font (w:eastAsia): python-docx's ``font.name`` sets
  only the Latin ones, and Chinese text is drawn with w:eastAsia.
- Page numbers: 4号半角宋体 Arabic numerals between one-em dashes 「— 1 —」, odd pages at the
  right and even pages at the left, one character in from the edge (7.5).
- 成文日期 in Arabic numerals, 年、月、日 written out (7.3.5.3).

``bulletin_docx`` only lays out what ``selectors.snapshot`` computed; the same JSON is what a
publication freezes, so the published document and the frozen figures cannot disagree. Word
and WPS substitute 宋体 for fonts that are not installed, the fallback the offices expect.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from xinfang.core.docx import (
    DOCX,
    add_page_number,
    add_run,
    new_document,
    repeat_header_row,
    safe_text,
    set_east_asian,
    set_font,
    text_width,
)
from xinfang.figures.models import ONLINE_CHANNELS
from xinfang.figures.periods import cn_day
from xinfang.figures.rows import FEW_CASES, Rate
from xinfang.oversight.models import ReportKind

__all__ = ["DOCX", "ISSUER", "bulletin_docx", "bulletin_title"]

ISSUER = "镇坪县网上投诉代理工作推进领导小组办公室"  # seed 一: 领导小组下设办公室
ADDRESSEES = "各镇人民政府，县政府各工作部门、直属事业单位："
DRAFT_MARK = "征求意见稿"

TITLE_FONT, BODY_FONT = "方正小标宋简体", "仿宋_GB2312"
HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT = "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(14), Pt(12)  # 二号, 三号, 四号, 小四
RED = RGBColor(0xE6, 0x00, 0x12)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
TOP, BOTTOM, LEFT, RIGHT = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
LINE = Pt(28.95)  # 22 lines in the 225 mm text block (5.2.4)
INDENT = Pt(32)  # two characters of 三号
TABLE_HEAD = ("单位", "代理件数", "目标", "是否达标", "网上投诉占比", "参评率", "满意率")
TABLE_CM = (3.2, 1.6, 1.4, 1.8, 2.6, 2.5, 2.5)  # 15.6 cm between the margins
TEXT_WIDTH = Emu(PAGE_WIDTH - LEFT - RIGHT)


def bulletin_title(month: datetime.date) -> str:
    return f"关于{month.year}年{month.month}月全县网上投诉代理工作情况的通报"


def title_lines(title: str) -> list[str]:
    """The title in lines that keep words whole (7.3.1: 回行时要做到词意完整): a title too long
    for one line of 二号 breaks before 「情况的通报」 rather than wherever the line ends."""
    if text_width(title, TITLE_SIZE.pt) <= TEXT_WIDTH.pt or "情况的通报" not in title:
        return [title]
    head, _, _ = title.rpartition("情况的通报")
    return [head, "情况的通报"]


def rate_text(pair) -> str:
    """「35.0%（7/20）」; a rate over fewer than FEW_CASES cases says so (MISSION.md: 样本少)."""
    rate = Rate(*pair)
    if not rate.denominator:
        return "—（无应计件数）"
    return f"{rate.percent}（{rate.numerator}/{rate.denominator}{'，样本少' if rate.few else ''}）"


def online_judgement(county: dict) -> str:
    """「，全县目标50%，达标」: the county's 网上投诉占比 against its target (``figures.CountyTarget``),
    as frozen; nothing where no target was in force (or the month was frozen before targets)."""
    target = county.get("online_target")
    if target is None:
        return ""
    met = county.get("online_met")
    verdict = "无应计件数，不作判断" if met is None else ("达标" if met else "未达标")
    return f"，全县目标{target}%，{verdict}"


# --- Layout helpers ----------------------------------------------------------------------------------


def _para(document, *, align=None, indent: bool = False, right_indent=None, space_before=0):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(0)
    if indent:
        fmt.first_line_indent = INDENT
    if right_indent is not None:
        fmt.right_indent = right_indent
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _run(paragraph, text: str, font_name: str = BODY_FONT, size=BODY_SIZE, color=None):
    run = add_run(paragraph, text)
    set_font(run, font_name, size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _body_paragraph(document, text: str):
    paragraph = _para(document, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _run(paragraph, text)
    return paragraph


def _heading(document, text: str):
    """一、 in 黑体, set on its own line."""
    paragraph = _para(document, indent=True)
    _run(paragraph, text, HEADING_FONT)
    return paragraph


def _subheading(document, heading: str, text: str = ""):
    """（一） in 楷体_GB2312, the text after it in the body font on the same line."""
    paragraph = _para(document, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _run(paragraph, heading, SUBHEADING_FONT)
    if text:
        _run(paragraph, text)
    return paragraph


def _bottom_border(paragraph, color: str = "E60012", size: int = 12) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.insert_element_before(
        borders,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


def _page_number(footer, align, *, left=None, right=None) -> None:
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    if left is not None:
        paragraph.paragraph_format.left_indent = left
    if right is not None:
        paragraph.paragraph_format.right_indent = right
    add_page_number(paragraph, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, before="— ", after=" —")


def _setup(document, title: str) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = Cm(2.8)  # 页码 7 mm below the text block's lower edge
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    set_east_asian(normal.element, BODY_FONT)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    # 单页码居右空一字，双页码居左空一字 (7.5).
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, right=PAGE_NUMBER_SIZE)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, left=PAGE_NUMBER_SIZE)
    props = document.core_properties
    props.title = safe_text(title)
    props.author = props.last_modified_by = props.comments = ""


def _cell(cell, lines: tuple[str, ...], *, bold_font: str | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, line in enumerate(lines):
        run = paragraph.add_run()
        set_font(run, bold_font or BODY_FONT, TABLE_SIZE)
        if index:
            run.add_break()
        run.add_text(safe_text(line))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _rate_lines(pair) -> tuple[str, ...]:
    rate = Rate(*pair)
    if not rate.denominator:
        return ("—",)
    return (rate.percent, f"{rate.numerator}/{rate.denominator}") + (("样本少",) if rate.few else ())


def _borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    tbl_pr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )


def _unit_table(document, rows: list[dict], county: dict) -> None:
    table = document.add_table(rows=1, cols=len(TABLE_HEAD))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for cell, text in zip(table.rows[0].cells, TABLE_HEAD, strict=True):
        _cell(cell, (text,), bold_font=HEADING_FONT)
    repeat_header_row(table.rows[0])  # a county of many units runs over pages
    for row in [*rows, county]:
        cells = table.add_row().cells
        values = (
            (row["name"],),
            (str(row["proxied"]),),
            (str(row["target"]),),
            ("达标" if row["met"] else "未达标",),
            _rate_lines(row["online"]),
            _rate_lines(row["participation"]),
            _rate_lines(row["satisfaction"]),
        )
        for cell, lines in zip(cells, values, strict=True):
            _cell(cell, lines)
    for row in table.rows:
        for cell, cm in zip(row.cells, TABLE_CM, strict=True):
            cell.width = Cm(cm)


def _signature(document, date_text: str) -> None:
    """发文机关署名 and 成文日期 of a document without a seal (7.3.5.2): the issuer two characters
    in from the right; the date on the next line, its first character two characters right of
    the issuer's first; a date longer than the issuer sits two characters in from the right and
    the issuer moves left by the difference."""
    issuer_width, date_width = text_width(ISSUER, BODY_SIZE.pt), text_width(date_text, BODY_SIZE.pt)
    signer = _para(
        document,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        right_indent=Pt(max(INDENT.pt, 2 * INDENT.pt + date_width - issuer_width)),
    )
    _run(signer, ISSUER)
    dated = _para(
        document, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=Pt(max(INDENT.pt, issuer_width - date_width))
    )
    _run(dated, date_text)


# --- The bulletin --------------------------------------------------------------------------------------


def _counts(items) -> str:
    return "、".join(f"{label}{n}件" for label, n in items if n)


def _masthead(document, *, title: str, issue_number: str, draft: bool) -> None:
    """发文机关标志, 发文字号 over the red line, and the title (7.2, 7.3.1)."""
    if draft:
        _run(_para(document), DRAFT_MARK, HEADING_FONT)
    issuer = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=0 if draft else 24)
    issuer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(issuer, ISSUER, TITLE_FONT, TITLE_SIZE, RED)
    number = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=24)
    _run(number, issue_number)
    _bottom_border(number)

    _para(document)
    heading = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    heading.paragraph_format.line_spacing = Pt(36)
    runs = [_run(heading, line, TITLE_FONT, TITLE_SIZE) for line in title_lines(title)]
    for run in runs[:-1]:
        run.add_break()  # a line break after each line but the last, inside the one title paragraph
    if draft:
        _run(_para(document, align=WD_ALIGN_PARAGRAPH.CENTER), f"（{DRAFT_MARK}）", SUBHEADING_FONT)


def _overview(document, summary: str, units: list[dict], county: dict) -> None:
    """一、总体情况: the office's own words, then the county's figures."""
    _heading(document, "一、总体情况")
    for line in (summary or "").splitlines():
        if line.strip():
            _body_paragraph(document, line.strip())
    met = [row for row in units if row["met"]]
    self_filed = sum(county["tallies"].get(ch, 0) for ch in ONLINE_CHANNELS)
    for heading, text in (
        (
            "（一）代理件数。",
            f"全县{len(units)}个单位共代理网上投诉{county['proxied']}件，目标{county['target']}件；"
            f"{len(met)}个单位达到月度代理目标，{len(units) - len(met)}个单位未达标。",
        ),
        (
            "（二）网上投诉占比。",
            f"网上投诉{county['online'][0]}件（代理{county['proxied']}件、群众网上自投{self_filed}件），"
            f"信访总量{county['online'][1]}件，网上投诉占比{rate_text(county['online'])}"
            f"{online_judgement(county)}。",
        ),
        (
            "（三）评价情况。",
            f"参评率{rate_text(county['participation'])}，满意率{rate_text(county['satisfaction'])}，"
            f"其中“满意”占{rate_text(county['satisfied'])}。",
        ),
        (
            "（四）办理时效。",
            f"及时受理率{rate_text(county['timely_acceptance'])}，按期办结率{rate_text(county['timely_conclusion'])}；"
            f"截至月末超期未办结{county['overdue']}件。",
        ),
    ):
        _subheading(document, heading, text)


def _units(document, units: list[dict], county: dict) -> None:
    """二、各单位情况 (the table) and 三、未达标单位."""
    _heading(document, "二、各单位情况")
    _body_paragraph(
        document,
        f"各单位代理件数、目标及主要比率如下表（比率下为“分子/分母”件数；分母少于{FEW_CASES}件的标注“样本少”）：",
    )
    _unit_table(document, units, county)
    _heading(document, "三、未达标单位")
    below = [row for row in units if not row["met"]]
    if below:
        names = "、".join(f"{row['name']}（代理{row['proxied']}件，目标{row['target']}件）" for row in below)
        _body_paragraph(
            document,
            f"本月代理件数未达到目标的单位共{len(below)}个：{names}。"
            "请以上单位加强宣传引导，落实代理场所和代理人员，确保完成每月代理目标。",
        )
    else:
        _body_paragraph(document, "本月各单位代理件数均达到目标。")


def _ratings(document, ratings: dict, units: list[dict], county: dict) -> None:
    """四、满意度评价: both assessments of the feedback form, and the units with a 不满意."""
    _heading(document, "四、满意度评价")
    r = ratings
    _body_paragraph(
        document,
        f"本月答复送达{r.get('delivered', 0)}件，已评价{r.get('rated', 0)}件，参评率{rate_text(county['participation'])}。",
    )
    for sub, who, what in (
        ("（一）", "body", "对有权处理机关处理意见的评价"),
        ("（二）", "office", "对信访机构的评价"),
    ):
        counts = _counts(
            (
                ("满意", r.get(f"{who}_satisfied", 0)),
                ("基本满意", r.get(f"{who}_basically", 0)),
                ("不满意", r.get(f"{who}_unsatisfied", 0)),
            )
        )
        content = r.get(f"{who}_satisfied", 0) + r.get(f"{who}_basically", 0)
        _subheading(
            document,
            f"{sub}{what}。",
            f"{counts or '暂无评价'}；满意率{rate_text([content, r.get('rated', 0)])}。",
        )
    unsatisfied = [
        row for row in units if row["satisfaction"][1] and row["satisfaction"][0] < row["satisfaction"][1]
    ]
    if unsatisfied:
        _body_paragraph(
            document,
            "有不满意评价的单位："
            + "、".join(f"{row['name']}（满意率{rate_text(row['satisfaction'])}）" for row in unsatisfied)
            + "。请相关单位做好政策解释和思想疏导，引导信访人依法申请复查、复核。",
        )


def _reports(document, reports: dict, units: list[dict]) -> None:
    """五、风险报告: by kind and by unit."""
    _heading(document, "五、风险报告")
    if not reports["total"]:
        _body_paragraph(document, "本月未收到风险报告。")
        return
    kinds = dict(ReportKind.choices)
    _body_paragraph(document, f"本月各单位共报送风险报告{reports['total']}件。")
    _subheading(
        document,
        "（一）按类别。",
        _counts((kinds[k], reports["by_kind"].get(k, 0)) for k in ReportKind.values) + "。",
    )
    by_unit = [
        f"{row['name']}{sum(row['reports'].values())}件" for row in units if sum(row["reports"].values())
    ]
    _subheading(document, "（二）按单位。", "、".join(by_unit) + "。")


def _day(value: str) -> str:
    return cn_day(datetime.date.fromisoformat(value))


def _inspections(document, inspections: list[dict]) -> None:
    """六、督察情况: each inspection that found problems, and where its rectification stands."""
    _heading(document, "六、督察情况")
    if not inspections:
        _body_paragraph(document, "本月督察未发现问题。")
        return
    _body_paragraph(
        document,
        f"本月督察发现问题{len(inspections)}次，涉及{len({i['unit_id'] for i in inspections})}个单位：",
    )
    for index, item in enumerate(inspections, start=1):
        if item["rectified_on"]:
            state = f"已于{_day(item['rectified_on'])}整改完成"
        elif item["overdue"]:
            state = "逾期未整改"
        else:
            state = "正在整改"
        deadline = f"整改期限{_day(item['rectify_by'])}，" if item["rectify_by"] else ""
        _body_paragraph(
            document,
            f"{index}.{item['unit']}（{_day(item['inspected_on'])}督察）：{'、'.join(item['findings'])}；"
            f"{deadline}{state}。",
        )
    _body_paragraph(document, "请相关单位严格遵循合法、自愿、公益、真实的原则，按期整改到位。")


def bulletin_docx(
    figures: dict[str, Any],
    *,
    title: str,
    issue_number: str,
    summary: str = "",
    issued_on: datetime.date,
    draft: bool = False,
    corrects: str | None = None,
) -> bytes:
    """The bulletin of one month, from ``selectors.snapshot`` (or a bulletin's frozen figures).
    ``corrects``: the issue number of the bulletin this one corrects and replaces."""
    month = datetime.date.fromisoformat(figures["month"])
    units, county = figures["units"], figures["county"]
    document = new_document()
    _setup(document, title)
    _masthead(document, title=title, issue_number=issue_number, draft=draft)
    _para(document)
    _run(_para(document), ADDRESSEES)
    if corrects:
        _body_paragraph(document, f"本通报为{corrects}的更正通报，原通报同时撤回，以本通报为准。")
    _body_paragraph(document, f"现将{month.year}年{month.month}月全县网上投诉代理工作情况通报如下：")
    _overview(document, summary, units, county)
    _units(document, units, county)
    _ratings(document, figures["ratings"], units, county)
    _reports(document, figures["reports"], units)
    _inspections(document, figures["inspections"])
    # 落款
    _para(document)
    _para(document)
    _signature(document, cn_day(issued_on))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
