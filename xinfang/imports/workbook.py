"""Reading an uploaded .xlsx: its sheets, the header row of each, and the rows below it.

Real ledgers are messy. A sheet may start with a title and blank rows; its header may take two
rows, a group's name merged over several columns above the columns' own names (「信访人」 over
「姓名」「身份证号」「联系电话」), and a column merged down both rows (「诉求标题」). Such a header
is read as: the lower row's name where it has one, the group's name joined to it where only the
two together mean a column (「办理情况」+「日期」), and the upper row's name where the lower row
is empty (the merged-down column). Blank rows, a header repeated further down (printed pages)
and total rows (合计、小计) are passed over. Every sheet with a header is read.

The workbook is opened read-only (rows are streamed, merged cells' other parts read as empty);
its declared size is not trusted (``reset_dimensions``). Before openpyxl sees it the archive is
checked: an .xlsx is a zip, and one that would unpack to more than ``MAX_UNPACKED`` is refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

from xinfang.imports.columns import REQUIRED, guess, header_key
from xinfang.imports.values import text

HEADER_SCAN = 20  # rows looked at for the header
MIN_MATCHES = 2  # a header row names at least this many known columns
MAX_UNPACKED = 300 * 1024 * 1024
MAX_PARTS = 2000
TOTALS = ("合计", "小计", "总计", "共计")
OLD_EXCEL = b"\xd0\xcf\x11\xe0"


class UnreadableWorkbook(ValueError):
    """Not a workbook that can be read; the message says what to do."""


@dataclass
class Header:
    column: int  # 0-based
    text: str  # as shown
    key: str  # as matched and saved (``columns.header_key``)

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass
class Sheet:
    name: str
    header_row: int = 0  # 1-based; 0: no header found
    headers: list[Header] = field(default_factory=list)
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number, values)
    passed_over: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def check_archive(content: bytes) -> None:
    if content.startswith(OLD_EXCEL):
        raise UnreadableWorkbook(
            "这是 Excel 97-2003 格式（.xls）的文件。请在 Excel 或 WPS 中打开，“另存为” .xlsx 格式后再上传。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise UnreadableWorkbook(
            "这不是 .xlsx 格式的 Excel 文件，请用 Excel 或 WPS 另存为 .xlsx 后再上传。"
        ) from None
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise UnreadableWorkbook("这个压缩文件不是 Excel 工作簿（.xlsx），请核对后再上传。")
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED:
        raise UnreadableWorkbook("这个工作簿解压后过大，无法导入。请只保留台账的工作表后再上传。")


def read(content: bytes) -> list[Sheet]:
    """Every sheet of the workbook, with its header and rows (see the module's docstring)."""
    check_archive(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise UnreadableWorkbook(
            f"文件无法打开（{type(exc).__name__}），请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。"
        ) from None
    try:
        sheets = []
        for worksheet in book.worksheets:
            worksheet.reset_dimensions()
            sheets.append(_sheet(worksheet.title, list(worksheet.iter_rows(values_only=True))))
        return sheets
    finally:
        book.close()


def _score(values: tuple) -> int:
    """How many known columns a row names; 0 unless one of them is a required column (a sheet of
    notes that lists a column and its other names on one row is no header)."""
    codes = {guess(value) for value in values if isinstance(value, str)} - {""}
    return len(codes) if codes & set(REQUIRED) else 0


def _blank(values: tuple) -> bool:
    return all(text(value) == "" for value in values)


def _sheet(name: str, rows: list[tuple]) -> Sheet:
    sheet = Sheet(name=name)
    scores = [_score(values) for values in rows[:HEADER_SCAN]]
    if not scores or max(scores) < MIN_MATCHES:
        return sheet
    at = scores.index(max(scores))
    if at + 1 < len(scores) and scores[at + 1] >= MIN_MATCHES:
        at += 1  # the group names above, the columns' own names here
    upper = rows[at - 1] if at > 0 else ()
    sheet.header_row = at + 1
    sheet.headers = headers(upper, rows[at])
    width = max(len(upper), len(rows[at]))
    for number, values in enumerate(rows[at + 1 :], start=at + 2):
        values = tuple(values) + (None,) * (width - len(values))
        if _blank(values):
            continue
        first = next(text(v) for v in values if text(v))
        if _score(values) >= MIN_MATCHES + 1:
            sheet.passed_over.append((number, "重复的表头"))
        elif first.replace(" ", "") in TOTALS:
            sheet.passed_over.append((number, "合计行"))
        else:
            sheet.rows.append((number, values[:width]))
    return sheet


def headers(upper: tuple, lower: tuple) -> list[Header]:
    """The columns' names from the header row (``lower``) and the row above it (``upper``)."""
    found = []
    group = ""
    for column in range(max(len(upper), len(lower))):
        above = text(upper[column]) if column < len(upper) else ""
        below = text(lower[column]) if column < len(lower) else ""
        if above:
            group = above
        if not below:
            shown = above
        elif guess(below) or not group or not guess(group + below):
            shown = below
        else:
            shown = group + below
        if shown:
            found.append(Header(column=column, text=shown, key=header_key(shown)))
    return found
