"""Workbooks that open in WPS and Excel with Chinese text in a Chinese font, and print well.

openpyxl's default font is Calibri: every cell without a style of its own uses the workbook's
first font, so that one is set to 宋体 (SimSun, on every Chinese desktop). A header cell gets a
bold 宋体 of its own.

Every row goes through ``row`` (or ``append``): openpyxl refuses a string with a control
character (``IllegalCharacterError``), and a value stored before such characters were refused
at input must still make the workbook.

``print_setup`` makes a sheet print as an office expects (landscape A4, the header row on every
page); ``Sheet`` and ``stream`` give a write-only workbook the used range (``<dimension>``)
that openpyxl's streaming writer leaves out.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from xinfang.core.validators import printable
from xinfang.core.xlsx_stream import A4, CHUNK, PRINT_WIDTH, SHEET_FONT, SHEET_FONT_SIZE


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
    """A header row: bold, centred, wrapped where a column is narrower than its name."""
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=printable(name))
        cell.font = font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells.append(cell)
    return cells


def row(values) -> list:
    """A row's values with what a worksheet cannot hold removed from the strings; other values
    (numbers, dates, cells) as they are."""
    return [printable(value) for value in values]


def append(sheet, values) -> None:
    sheet.append(row(values))


# --- Printing and the used range -----------------------------------------------------------------------


def print_setup(sheet, widths: list[int], *, title_columns: int = 1, header: str = "") -> None:
    """Landscape A4, the header row frozen and repeated on every printed page (print titles), the
    first ``title_columns`` columns repeated on the pages to the right (printed across, then
    down: a row's pages follow each other), grid lines printed, as many pages across as the
    widths need at about 85%, ``header`` at the top and 「第 N 页，共 M 页」 at the foot of each
    page. Set before the first row of a write-only sheet (its views go out with the first row)."""
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    if title_columns:
        sheet.print_title_cols = f"A:{get_column_letter(title_columns)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = max(1, math.ceil(sum(widths) / PRINT_WIDTH))
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.page_setup.pageOrder = "overThenDown"
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    if header:
        sheet.oddHeader.center.text = printable(header).replace("&", "&&")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


class Sheet:
    """A write-only sheet that remembers how far its rows reach. openpyxl's write-only mode
    streams the rows and so writes no ``<dimension>`` (the used range Excel and WPS show and
    readers size the sheet by); ``stream`` adds it from what was appended here."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.rows = 0
        self.columns = 0

    def append(self, values) -> None:
        # An empty text is no cell at all (openpyxl would write an empty inline string).
        values = [None if value == "" else value for value in row(values)]
        self.sheet.append(values)
        self.rows += 1
        self.columns = max(self.columns, len(values))

    @property
    def ref(self) -> str:
        return f"A1:{get_column_letter(max(self.columns, 1))}{max(self.rows, 1)}"


# What may follow <dimension> in a worksheet (ECMA-376 CT_Worksheet order): it goes before the first.
_AFTER_DIMENSION = (b"<sheetViews", b"<sheetFormatPr", b"<cols", b"<sheetData")


def _with_dimension(head: bytes, ref: str) -> bytes:
    if b"<dimension" in head:
        return head
    places = [i for i in (head.find(tag) for tag in _AFTER_DIMENSION) if i >= 0]
    if not places:
        return head
    at = min(places)
    return head[:at] + f'<dimension ref="{ref}"/>'.encode() + head[at:]


def _copy_with_dimensions(source: str, target: str, refs: dict[str, str]) -> None:
    """Copy the saved workbook entry by entry, the worksheets named in ``refs`` with their
    ``<dimension>``: read and written in chunks, so memory stays flat however many rows."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            with src.open(info) as reader, dst.open(entry, "w", force_zip64=info.file_size > 2**30) as writer:
                ref = refs.get(info.filename)
                if ref:
                    writer.write(_with_dimension(reader.read(CHUNK), ref))
                shutil.copyfileobj(reader, writer, CHUNK)


def stream(book: Workbook, sheets: list[Sheet]) -> Iterator[bytes]:
    """Save ``book`` (write-only) to a temporary file with each sheet's used range recorded, then
    give it in chunks; the temporary files are removed however the reading ends."""
    folder = tempfile.mkdtemp(prefix="xinfang-xlsx-")
    saved, final = os.path.join(folder, "saved.xlsx"), os.path.join(folder, "final.xlsx")
    try:
        book.save(saved)
        # Saving numbers the sheets: only then does each know its part's name.
        refs = {sheet.sheet.path.lstrip("/"): sheet.ref for sheet in sheets}
        _copy_with_dimensions(saved, final, refs)
        os.unlink(saved)
        with open(final, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)
