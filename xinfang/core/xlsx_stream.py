"""A one-sheet workbook of many rows: XlsxWriter in its constant-memory mode.

Each row is written to a temporary file as it comes and the workbook assembled at the end, so
memory stays flat however many rows; XlsxWriter writes about one and a half times as many rows
a second as openpyxl's write-only mode on the same rows (``bench/bench_ledger.py``). The sheet
prints as ``xlsx.print_setup`` makes an openpyxl sheet print (landscape A4, the header frozen
and repeated, the first columns on the pages to the right, 「第 N 页，共 M 页」), in 宋体, with
the used range recorded and a filter on the header.

Text is written as text, never read as a formula or a link (a value typed as 「=HYPERLINK(…)」
stays those characters), and what a worksheet cannot hold is removed (``printable``).
XlsxWriter is imported when a workbook is written, not when a command starts.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.utils import timezone

from xinfang.core.validators import printable

SHEET_FONT = "宋体"  # on every Chinese desktop; openpyxl's and XlsxWriter's own default is Calibri
SHEET_FONT_SIZE = 11
A4 = 9  # the paper size's number in the file format
PRINT_WIDTH = 160  # column-width units that fit across one landscape A4 page at about 85%
CHUNK = 64 * 1024  # a file is sent in pieces of this size
# How often ``progress`` is told how many rows are written.
PROGRESS_EVERY = 1000


def write_sheet(
    target: str | IO[bytes],
    *,
    title: str,
    headers: list[str],
    widths: list[int],
    rows: Iterable[list[Any]],
    title_columns: int = 1,
    tmpdir: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` under ``headers`` to ``target`` (a path or a binary file open for writing);
    returns the number of rows. ``tmpdir``: where the rows wait until the workbook is assembled."""
    import xlsxwriter  # type: ignore[import-untyped]  # noqa: PLC0415 - loaded for the exports only

    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "tmpdir": tmpdir,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": SHEET_FONT, "font_size": SHEET_FONT_SIZE},
        },
    )
    sheet = book.add_worksheet(printable(title))
    _print_setup(sheet, widths, title_columns)
    header = book.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "font_name": SHEET_FONT}
    )
    for column, name in enumerate(headers):
        sheet.write_string(0, column, printable(name), header)
    count = _write_rows(
        sheet,
        rows,
        day=book.add_format({"num_format": "yyyy-mm-dd"}),
        moment=book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        progress=progress,
    )
    sheet.autofilter(0, 0, max(count, 1), max(len(headers), 1) - 1)
    book.close()
    return count


def _print_setup(sheet, widths: list[int], title_columns: int) -> None:
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    if title_columns:
        sheet.repeat_columns(0, title_columns - 1)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(max(1, math.ceil(sum(widths) / PRINT_WIDTH)), 0)
    sheet.print_across()
    sheet.hide_gridlines(0)  # shown on screen and printed
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})
    sheet.set_header("", {"margin": 0.3})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)


def _write_rows(sheet, rows: Iterable[list[Any]], *, day, moment, progress) -> int:
    """Each cell by its type: text, number, date or time; an empty text or None is no cell."""
    count = 0
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    for count, values in enumerate(rows, start=1):  # noqa: B007 - the count is the answer
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str:
                write_string(count, column, value if value.isprintable() else printable(value))
            elif kind is int or kind is float:
                write_number(count, column, value)
            elif kind is datetime.date:
                write_datetime(count, column, value, day)
            elif kind is datetime.datetime:
                shown = timezone.localtime(value) if timezone.is_aware(value) else value
                write_datetime(count, column, shown.replace(tzinfo=None), moment)
            else:
                write_string(count, column, printable(str(value)))
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    return count
