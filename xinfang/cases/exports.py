"""The ledger (台账) as .xlsx, streamed row by row in openpyxl's write-only mode."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from urllib.parse import quote

from django.db.models import QuerySet
from django.utils import timezone

from xinfang.cases.selectors import late_steps
from xinfang.core import xlsx
from xinfang.core.masking import mask_id_number, mask_phone, mask_secret

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024

COLUMNS = [
    ("编号", 20),
    ("接待日期", 12),
    ("代理员", 10),
    ("信访人", 10),
    ("身份证号", 22),
    ("手机号码", 14),
    ("信访类型", 12),
    ("内容分类", 14),
    ("诉求标题", 36),
    ("状态", 12),
    ("投诉平台", 18),
    ("平台用户名", 16),
    ("查询码", 16),
    ("网上提交时间", 18),
    ("有权处理机关", 20),
    ("转送交办日期", 12),
    ("受理日期", 12),
    ("办结日期", 12),
    ("送达日期", 12),
    ("终结日期", 12),
    ("逾期提出", 30),
    ("信访人数", 8),  # 联名: the first petitioner's row stands for the case; 五人以上: 集体访
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


def ledger_rows(cases: QuerySet, *, show_unit: bool, full: bool = False) -> Iterator[list]:
    """One row per case (seed 附件 二(四)). Masked unless ``full``; the platform password never."""
    # Encrypted columns the ledger never shows are not loaded, so never decrypted.
    cases = cases.defer("content", "platform_password", "petitioner__address")
    for case in cases.iterator(chunk_size=500):
        person = case.petitioner
        row = [
            case.number,
            case.received_on,
            case.agent.full_name,
            person.name,
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
        yield ([case.unit.name] + row) if show_unit else row


def ledger_xlsx(cases: QuerySet, *, show_unit: bool, full: bool = False) -> Iterator[bytes]:
    """Write the workbook to a temporary file, then stream it: memory stays flat however many rows."""
    workbook = xlsx.workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    columns = ([("单位", 14)] if show_unit else []) + COLUMNS
    for index, (_, width) in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(xlsx.header_cells(sheet, [name for name, _ in columns]))
    for row in ledger_rows(cases, show_unit=show_unit, full=full):
        xlsx.append(sheet, row)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    try:
        handle.close()
        workbook.save(handle.name)
        with open(handle.name, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(handle.name)
