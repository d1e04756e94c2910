"""The channel tallies as an .xlsx: the template offered for download, and reading it back.

Layout of sheet 「渠道台账」: B2 holds the month (2026-03); row 4 is the header (单位, then
one column per channel by its Chinese name); each row below names a unit exactly as the
platform does. A blank cell means 未登记 (no figure; an earlier one is removed). Reading
collects every error, each naming its row, and returns nothing unless all rows are good.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence

from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from xinfang.accounts.models import Unit
from xinfang.core import xlsx
from xinfang.core.errors import DomainError
from xinfang.figures.actions import MAX_TALLY
from xinfang.figures.models import Channel

SHEET = "渠道台账"
HEADER_ROW = 4
MONTH_CELL = "B2"
MONTH_TEXT = re.compile(r"^\s*(\d{4})\s*(?:[-./年])\s*(\d{1,2})\s*月?\s*(?:[-./]\s*\d{1,2}\s*日?)?\s*$")
MAX_ERRORS = 20


class WorkbookError(DomainError):
    """An uploaded workbook that cannot be read; ``errors`` lists every problem (the message
    joins them)."""

    errors: Sequence[str] = ()


def _refused(errors: list[str]) -> WorkbookError:
    error = WorkbookError("；".join(errors))
    error.errors = errors
    return error


def template(month: datetime.date, units: Sequence[Unit], counts: dict[tuple[int, str], int]) -> bytes:
    """The template for one month, with the units listed and what was already entered."""
    book = xlsx.workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet["A1"] = "渠道台账：未经本平台的信访件数（按单位、渠道填写本月件数）"
    sheet["A1"].font = xlsx.font(bold=True, size=13)
    sheet["A2"] = "月份"
    sheet[MONTH_CELL] = month.strftime("%Y-%m")
    sheet["C2"] = "请填写不小于0的整数；留空表示未登记（将清除已登记的数）。单位名称请勿修改。"
    sheet.append([])
    sheet.append(["单位", *Channel.labels])
    for cell in sheet[HEADER_ROW]:
        cell.font = xlsx.font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for unit in units:
        xlsx.append(sheet, [unit.name, *(counts.get((unit.pk, ch)) for ch in Channel.values)])
    last = HEADER_ROW + max(len(units), 1)
    rule = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(MAX_TALLY),
        allow_blank=True,
        error="请填写不小于0的整数。",
        showErrorMessage=True,
    )
    rule.add(f"B{HEADER_ROW + 1}:{chr(ord('A') + len(Channel.values))}{last}")
    sheet.add_data_validation(rule)
    sheet.column_dimensions["A"].width = 24
    for col in range(len(Channel.values)):
        sheet.column_dimensions[chr(ord("B") + col)].width = 12
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _month(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1) if 2000 <= value.year <= 2100 else None
    match = MONTH_TEXT.match(str(value or ""))
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    return None


def _count(value) -> int | None | str:
    """The cell as a count, None when blank, or the text of the error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "应为整数"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,7}", value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        return "应为整数"
    if value < 0:
        return "不能为负数"
    if value > MAX_TALLY:
        return f"不能大于{MAX_TALLY}"
    return value


def read(content: bytes, units: Sequence[Unit]) -> tuple[datetime.date, dict[tuple[int, str], int | None]]:
    """The month and the counts of an uploaded workbook, or WorkbookError with every problem."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _refused(["无法读取该文件，请上传用本页模板填写的 .xlsx 文件。"]) from exc
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    errors: list[str] = []
    month = _month(rows[1][1] if len(rows) > 1 and len(rows[1]) > 1 else None)
    if month is None:
        errors.append("第2行：B2单元格应为月份，如 2026-03。")
    header = list(rows[HEADER_ROW - 1]) if len(rows) >= HEADER_ROW else []
    labels = {label: value for value, label in Channel.choices}
    columns: dict[int, str] = {}
    for index, title in enumerate(header[1:], start=1):
        title = str(title or "").strip()
        if title in labels:
            columns[index] = labels[title]
        elif title:
            errors.append(f"第{HEADER_ROW}行：表头“{title}”不是渠道名称（应为{'、'.join(labels)}）。")
    if not header or str(header[0] or "").strip() != "单位" or not columns:
        raise _refused(
            errors + [f"第{HEADER_ROW}行应为表头：单位、{'、'.join(labels)}。请使用本页提供的模板。"]
        )
    by_name = {unit.name: unit for unit in units}
    seen: dict[int, int] = {}
    counts: dict[tuple[int, str], int | None] = {}
    for number, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        cells = list(row) + [None] * (len(header) - len(row))
        name = str(cells[0] or "").strip()
        if not name:
            if any(_count(cells[i]) is not None for i in columns):
                errors.append(f"第{number}行：没有填写单位名称。")
            continue
        unit = by_name.get(name)
        if unit is None:
            errors.append(f"第{number}行：没有名为“{name}”的单位（单位名称应与本平台一致）。")
            continue
        if unit.pk in seen:
            errors.append(f"第{number}行：“{name}”与第{seen[unit.pk]}行重复。")
            continue
        seen[unit.pk] = number
        for index, channel in columns.items():
            value = _count(cells[index])
            if isinstance(value, str):
                errors.append(
                    f"第{number}行（{name}）“{Channel(channel).label}”{value}，现为“{cells[index]}”。"
                )
            else:
                counts[(unit.pk, channel)] = value
    if errors:
        if len(errors) > MAX_ERRORS:
            errors = errors[:MAX_ERRORS] + [f"……另有{len(errors) - MAX_ERRORS}处问题。"]
        raise _refused(errors)
    assert month is not None  # a missing month is among the errors
    return month, counts
