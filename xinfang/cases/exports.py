"""The ledger (台账): its columns and rows, as .xlsx (streamed row by row in openpyxl's
write-only mode) and as the A4 print view's table.

The columns are the case's own, then those the apps above add (``hooks.ledger_columns``: the
反馈表 and the rating, the clocks passed), each read for a whole chunk of rows: the export sends
the same few queries for ten rows or ten thousand.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from urllib.parse import quote

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinfang.cases import hooks
from xinfang.cases.hooks import Column, LedgerColumns
from xinfang.cases.models import FollowUp
from xinfang.cases.selectors import late_steps
from xinfang.core import xlsx
from xinfang.core.masking import mask_id_number, mask_phone, mask_secret

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 500

UNIT_COLUMN = Column("单位", 14)
COLUMNS = [
    Column("编号", 20, printed="编号"),
    Column("接待日期", 12, printed="接待日期"),
    Column("代理员", 10),
    Column("信访人", 12, printed="信访人"),
    Column("身份证号", 22),
    Column("手机号码", 14),
    Column("信访类型", 12),
    Column("内容分类", 14, printed="内容分类"),
    Column("诉求标题", 36, printed="诉求标题"),
    Column("状态", 12, printed="状态"),
    Column("投诉平台", 18),
    Column("平台用户名", 16),
    Column("查询码", 16),
    Column("网上提交时间", 18),
    Column("有权处理机关", 20, printed="有权处理机关"),
    Column("转送交办日期", 12),
    Column("受理日期", 12, printed="受理"),
    Column("办结日期", 12, printed="办结"),
    Column("送达日期", 12, printed="送达答复"),
    Column("终结日期", 12),
    Column("逾期提出", 30),
    Column("信访人数", 8),  # 联名: the first petitioner's row stands for the case; 五人以上: 集体访
]


def late_text(case) -> str:
    """The requests recorded after their window: what, the window's end, the reason."""
    return "；".join(
        f"{late.label}（期限{late.window_end:%Y-%m-%d}届满，{late.reason}）" for late in late_steps(case)
    )


def attachment_header(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition that WPS, Excel and every browser read with Chinese names intact."""
    ascii_name = "".join(c if c.isascii() and c not in '"\\' else "_" for c in filename)
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- The follow-ups (跟踪督办): the case's own, read as two subqueries of the ledger's query -----------


def _with_follow_ups(cases: QuerySet) -> QuerySet:
    of_case = FollowUp.objects.filter(case=OuterRef("pk")).order_by().values("case")
    return cases.annotate(
        follow_up_count=Coalesce(
            Subquery(of_case.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        follow_up_last=Subquery(of_case.annotate(last=Max("on")).values("last")),
    )


FOLLOW_UPS = LedgerColumns(
    key="follow_ups",
    columns=(Column("跟踪督办次数", 8, printed="跟踪督办"), Column("最近跟踪日期", 12, printed="最近跟踪")),
    values=lambda cases: [[c.follow_up_count, c.follow_up_last] for c in cases],
    prepare=_with_follow_ups,
    order=20,
)


def _added() -> list[LedgerColumns]:
    return sorted([FOLLOW_UPS, *hooks.ledger_columns()], key=lambda c: (c.order, c.key))


def ledger_columns(*, show_unit: bool) -> list[Column]:
    added = [column for group in _added() for column in group.columns]
    return ([UNIT_COLUMN] if show_unit else []) + COLUMNS + added


def _petitioner(case) -> str:
    name = case.petitioner.name
    return f"{name}等{case.people_count}人" if case.people_count > 1 else name


def _own_row(case, *, full: bool) -> list:
    person = case.petitioner
    return [
        case.number,
        case.received_on,
        case.agent.full_name,
        _petitioner(case),
        person.id_number if full else mask_id_number(person.id_number),
        person.phone_on_record if full else mask_phone(person.phone_on_record),
        case.get_petition_type_display(),
        case.category.name,
        case.title,
        case.get_status_display(),
        case.platform.name if case.platform else "",
        case.platform_username if full else mask_secret(case.platform_username),
        case.query_code if full else mask_secret(case.query_code),
        timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M") if case.submitted_at else "",
        case.handling_body,
        case.forwarded_on,
        case.accepted_on,
        case.concluded_on,
        case.delivered_on,
        case.closed_on,
        late_text(case),
        case.people_count,
    ]


def ledger_rows(cases: QuerySet, *, show_unit: bool, full: bool = False) -> Iterator[list]:
    """One row per case (seed 附件 二(四)), in ``ledger_columns`` order. Masked unless ``full``;
    the platform password never. Read in chunks: each app's columns once per chunk."""
    added = _added()
    # Encrypted columns the ledger never shows are not loaded, so never decrypted.
    cases = cases.defer("content", "platform_password", "petitioner__address")
    for group in added:
        if group.prepare is not None:
            cases = group.prepare(cases)
    rows = cases.iterator(chunk_size=CHUNK_ROWS)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        extra = [group.values(chunk) for group in added]
        for index, case in enumerate(chunk):
            row = _own_row(case, full=full)
            for values in extra:
                row.extend(values[index])
            yield ([case.unit.name] + row) if show_unit else row


def ledger_xlsx(cases: QuerySet, *, show_unit: bool, full: bool = False) -> Iterator[bytes]:
    """Write the workbook to a temporary file, then stream it: memory stays flat however many
    rows. Landscape A4, the header frozen and repeated on each printed page, the used range and
    a filter on the header recorded."""
    workbook = xlsx.workbook(write_only=True)
    sheet = xlsx.Sheet(workbook.create_sheet("台账"))
    columns = ledger_columns(show_unit=show_unit)
    xlsx.print_setup(sheet.sheet, [c.width for c in columns], title_columns=2 if show_unit else 1)
    sheet.append(xlsx.header_cells(sheet.sheet, [c.header for c in columns]))
    for row in ledger_rows(cases, show_unit=show_unit, full=full):
        sheet.append(row)
    sheet.sheet.auto_filter.ref = sheet.ref
    yield from xlsx.stream(workbook, [sheet])


# --- The monthly print view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedLedger:
    headers: list[str]
    rows: list[list[str]]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def ledger_printed(cases: QuerySet) -> PrintedLedger:
    """The columns the A4 print view shows (``Column.printed``), masked, each cell as text."""
    columns = ledger_columns(show_unit=False)
    shown = [i for i, column in enumerate(columns) if column.printed]
    rows = [[_shown(row[i]) for i in shown] for row in ledger_rows(cases, show_unit=False)]
    return PrintedLedger(headers=[columns[i].printed for i in shown], rows=rows)
