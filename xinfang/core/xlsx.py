"""Workbooks that open in WPS and Excel with Chinese text in a Chinese font.

openpyxl's default font is Calibri: every cell without a style of its own uses the workbook's
first font, so that one is set to 宋体 (SimSun, on every Chinese desktop). A header cell gets a
bold 宋体 of its own.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils.indexed_list import IndexedList

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
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells
