"""The ledger (台账): its columns and rows, as .xlsx (written row by row with XlsxWriter in
constant memory, ``core.xlsx_stream``) and as the A4 print view's table.

The columns are the case's own, then those the apps above add (``hooks.ledger_columns``: the
反馈表 and the rating, the clocks passed), each read for a whole chunk of rows: the export sends
the same few queries for ten rows or ten thousand. The rows are read as ``values()``, never as
model objects, and each encrypted value is decrypted only where its cell shows it.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from urllib.parse import quote

from django.db.models import Count, Func, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from xinfang.cases import hooks
from xinfang.cases.hooks import Column, LedgerColumns
from xinfang.cases.models import Case, CaseStatus, FollowUp, Petitioner, PetitionType
from xinfang.cases.selectors import late_steps_of
from xinfang.core import crypto, keys, xlsx_stream
from xinfang.core.fields import stored
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
    values=lambda rows: [[row["follow_up_count"], row["follow_up_last"]] for row in rows],
    prepare=_with_follow_ups,
    order=20,
)


def _added() -> list[LedgerColumns]:
    return sorted([FOLLOW_UPS, *hooks.ledger_columns()], key=lambda c: (c.order, c.key))


def ledger_columns(*, show_unit: bool) -> list[Column]:
    added = [column for group in _added() for column in group.columns]
    return ([UNIT_COLUMN] if show_unit else []) + COLUMNS + added


# What the ledger reads of a case, through ``values()``: no model objects. The encrypted columns
# come as stored (``core.fields.stored``) and only the cells shown are decrypted: the masked ledger shows
# the platform user name and the 查询码 as 「••••••」 or nothing, so it asks only their length,
# and the landline only where there is no mobile.
_CASE_FIELDS = (
    "pk",
    "number",
    "received_on",
    "agent__full_name",
    "people_count",
    "petition_type",
    "category__name",
    "title",
    "status",
    "platform__name",
    "submitted_at",
    "handling_body",
    "forwarded_on",
    "accepted_on",
    "concluded_on",
    "delivered_on",
    "closed_on",
    "late_steps",
)
_SECRETS = ("platform_username", "query_code")
PETITION_TYPES = dict(PetitionType.choices)
STATUSES = dict(CaseStatus.choices)


def _context(model, name: str) -> str:
    return model._meta.get_field(name).crypto_context


_CONTEXTS = {
    "name": _context(Petitioner, "name"),
    "id_number": _context(Petitioner, "id_number"),
    "mobile": _context(Petitioner, "mobile"),
    "landline": _context(Petitioner, "landline"),
    "platform_username": _context(Case, "platform_username"),
    "query_code": _context(Case, "query_code"),
}


def _open(token: str | None, field: str) -> str:
    return crypto.decrypt_text(token, _CONTEXTS[field]) if token else ""


def _values(cases: QuerySet, *, full: bool) -> QuerySet:
    tokens: dict[str, Func] = {
        "p_name": stored("petitioner__name"),
        "p_id_number": stored("petitioner__id_number"),
        "p_mobile": stored("petitioner__mobile"),
        "p_landline": stored("petitioner__landline"),
    }
    for name in _SECRETS:
        tokens[f"c_{name}"] = stored(name) if full else Length(name)
    extra = list(cases.query.annotations)
    return cases.annotate(**tokens).values(*_CASE_FIELDS, "unit__name", *tokens, *extra)


def _own_row(row: dict, *, full: bool) -> list:
    name = _open(row["p_name"], "name")
    id_number = _open(row["p_id_number"], "id_number")
    phone = _open(row["p_mobile"], "mobile") or _open(row["p_landline"], "landline")
    if full:
        username, query_code = (
            _open(row["c_platform_username"], "platform_username"),
            _open(row["c_query_code"], "query_code"),
        )
    else:
        id_number, phone = mask_id_number(id_number), mask_phone(phone)
        username, query_code = mask_secret(row["c_platform_username"]), mask_secret(row["c_query_code"])
    submitted = row["submitted_at"]
    local = timezone.get_current_timezone()
    return [
        row["number"],
        row["received_on"],
        row["agent__full_name"],
        f"{name}等{row['people_count']}人" if row["people_count"] > 1 else name,
        id_number,
        phone,
        PETITION_TYPES.get(row["petition_type"], row["petition_type"]),
        row["category__name"],
        row["title"],
        STATUSES.get(row["status"], row["status"]),
        row["platform__name"] or "",
        username,
        query_code,
        submitted.astimezone(local).strftime("%Y-%m-%d %H:%M") if submitted else "",
        row["handling_body"],
        row["forwarded_on"],
        row["accepted_on"],
        row["concluded_on"],
        row["delivered_on"],
        row["closed_on"],
        _late_text(row["late_steps"]) if row["late_steps"] else "",
        row["people_count"],
    ]


def _late_text(stored) -> str:
    return "；".join(
        f"{late.label}（期限{late.window_end:%Y-%m-%d}届满，{late.reason}）" for late in late_steps_of(stored)
    )


def ledger_rows(cases: QuerySet, *, show_unit: bool, full: bool = False) -> Iterator[list]:
    """One row per case (seed 附件 二(四)), in ``ledger_columns`` order. Masked unless ``full``;
    the platform password never. Read in chunks of ``values()``: each app's columns once per
    chunk, no model object made and no column decrypted that the row does not show."""
    added = _added()
    for group in added:
        if group.prepare is not None:
            cases = group.prepare(cases)
    keys.ensure_verified()
    rows = _values(cases, full=full).iterator(chunk_size=CHUNK_ROWS)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        extra = [group.values(chunk) for group in added]
        for index, found in enumerate(chunk):
            row = _own_row(found, full=full)
            for values in extra:
                row.extend(values[index])
            yield ([found["unit__name"]] + row) if show_unit else row


def count_rows(cases: QuerySet) -> int:
    return cases.order_by().count()


def write_ledger(
    target, cases: QuerySet, *, show_unit: bool, full: bool = False, tmpdir=None, progress=None
) -> int:
    """The ledger as .xlsx into ``target`` (a path or a binary file): landscape A4, the header
    frozen and repeated on each printed page, the used range and a filter on the header
    recorded. Returns the number of rows; ``progress(rows written)`` is told as it goes."""
    columns = ledger_columns(show_unit=show_unit)
    return xlsx_stream.write_sheet(
        target,
        title="台账",
        headers=[c.header for c in columns],
        widths=[c.width for c in columns],
        rows=ledger_rows(cases, show_unit=show_unit, full=full),
        title_columns=2 if show_unit else 1,
        tmpdir=tmpdir,
        progress=progress,
    )


def ledger_xlsx(cases: QuerySet, *, show_unit: bool, full: bool = False) -> Iterator[bytes]:
    """Write the workbook to a temporary file, then stream it: memory stays flat however many
    rows. The temporary folder is removed however the reading ends."""
    folder = tempfile.mkdtemp(prefix="xinfang-xlsx-")
    try:
        path = os.path.join(folder, "ledger.xlsx")
        write_ledger(path, cases, show_unit=show_unit, full=full, tmpdir=folder)
        with open(path, "rb") as fh:
            while chunk := fh.read(xlsx_stream.CHUNK):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
