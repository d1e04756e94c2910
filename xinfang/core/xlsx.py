"""Workbooks that open in WPS and Excel with Chinese text in a Chinese font.

openpyxl's default font is Calibri: every cell without a style of its own uses the workbook's
first font, so that one is set to 宋体 (SimSun, on every Chinese desktop). A header cell gets a
bold 宋体 of its own.

Every row goes through ``row`` (or ``append``): openpyxl refuses a string with a control
character (``IllegalCharacterError``), and a value stored before such characters were refused
at input must still make the workbook.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils.indexed_list import IndexedList

from xinfang.core.validators import printable

SHEET_FONT = "宋体"
SHEET_FONT_SIZE = 11


def font(*, bold: bool = False, size: int = SHEET_FONT_SIZE) -> Font:
    return Font(name=SHEET_FONT, size=size, bold=bold)


def workbook(*, write_only: bool = False) -> Workbook:
    """A workbook whose default cell font is 宋体 11 (openpyxl keeps it as the first font; no
    public setter exists, so the list is replaced before any cell is styled)."""
    book = Workbook(write_only=write_only)
    book._fonts = IndexedList([font()])  # noqa: SLF001
    book._named_styles["Normal"].font = font()  # noqa: SLF001
    return book


def header_cells(sheet, names: list[str]) -> list[WriteOnlyCell]:
    """A write-only sheet's header row: bold, centred."""
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=printable(name))
        cell.font = font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells


def row(values) -> list:
    """A row's values with what a worksheet cannot hold removed from the strings; other values
    (numbers, dates, cells) as they are."""
    return [printable(value) for value in values]


def append(sheet, values) -> None:
    sheet.append(row(values))
