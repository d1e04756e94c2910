"""Workbooks that print as an office expects and say how far their rows reach."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from xinfang.core import xlsx
from xinfang.core.validators import BIDI_CONTROLS, MULTILINE_ALLOWED, _is_noncharacter, printable


def streamed(rows: list[list], widths: list[int]) -> bytes:
    book = xlsx.workbook(write_only=True)
    sheet = xlsx.Sheet(book.create_sheet("台账"))
    xlsx.print_setup(sheet.sheet, widths, title_columns=2, header="城关镇 台账")
    sheet.append(xlsx.header_cells(sheet.sheet, [f"列{i}" for i in range(len(widths))]))
    for values in rows:
        sheet.append(values)
    return b"".join(xlsx.stream(book, [sheet]))


def test_a_streamed_sheet_records_its_used_range():
    """openpyxl's write-only mode leaves out <dimension>: Excel and WPS then show no used range
    and readers cannot size the sheet. The streamed file has it, where the schema wants it."""
    widths = [10] * 30
    data = streamed([["甲", 1, ""], ["乙"] + [2] * 29], widths)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        assert archive.testzip() is None
    assert re.search(r'</sheetPr><dimension ref="A1:AD3"/><sheetViews>', sheet_xml)
    assert load_workbook(io.BytesIO(data), read_only=True).active.calculate_dimension() == "A1:AD3"
    # An empty text is no cell at all rather than an empty inline string.
    assert '<c r="C2"' not in sheet_xml


def test_the_sheet_prints_landscape_a4_with_its_header_on_every_page():
    widths = [20, 12] + [16] * 20
    sheet = load_workbook(io.BytesIO(streamed([["城关镇-2026-0001", "李某某"]], widths))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1" and sheet.print_title_cols == "$A:$B"
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (3, 0)  # 352 columns' width at about 85%
    assert setup.pageOrder == "overThenDown"
    assert sheet.print_options.gridLines
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert sheet.oddHeader.center.text == "城关镇 台账"
    assert sheet.column_dimensions["V"].width == 16  # past Z the columns still get their widths
    assert sheet["A1"].alignment.wrap_text and sheet["A1"].font.b


def test_a_head_without_the_expected_elements_is_left_alone():
    assert xlsx._with_dimension(b"<worksheet><sheetData/>", "A1:B2") == (
        b'<worksheet><dimension ref="A1:B2"/><sheetData/>'
    )
    assert xlsx._with_dimension(b"<worksheet>", "A1:B2") == b"<worksheet>"
    head = b'<worksheet><dimension ref="A1:C9"/><sheetData/>'
    assert xlsx._with_dimension(head, "A1:B2") == head


@given(st.text())
def test_the_quick_path_of_printable_keeps_exactly_what_the_character_check_keeps(text):
    """Every cell goes through ``printable``; a text Python calls printable skips the check of each
    character, which must then have removed nothing."""
    slow = "".join(
        ch
        for ch in text
        if ch in MULTILINE_ALLOWED
        or not (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS or _is_noncharacter(ch))
    )
    assert printable(text) == slow
