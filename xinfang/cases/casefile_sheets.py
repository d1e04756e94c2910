"""The case file's workbook (事项信息与办理记录.xlsx): the case, its petitioners, its history and
follow-ups, and the sheets the apps above add (``hooks.case_sheets``: the clocks, the rating).

Every sheet: landscape A4, the header frozen and repeated on each printed page. Masked unless
``full``, as the ledger: the content of the complaint only in the full copy.
"""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl.styles import Alignment

from xinfang.cases import hooks, selectors
from xinfang.cases.hooks import Column
from xinfang.cases.models import Case, CaseStatus, FileKind
from xinfang.core import xlsx
from xinfang.core.masking import mask_address, mask_id_number, mask_phone, mask_secret

NOTHING = "（无）"
STATUS = dict(CaseStatus.choices)
WRAP = Alignment(wrap_text=True, vertical="top")


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _at(moment) -> str:
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{_cn(local)} {local:%H:%M}"


def _particulars(case: Case, *, full: bool) -> list[list]:
    def secret(value: str) -> str:
        return value if full else mask_secret(value)

    opinion = f"（{case.get_handling_opinion_display()}）" if case.handling_opinion else ""
    late = "；".join(
        f"{late.label}：期限{_cn(late.window_end)}届满，理由：{late.reason}"
        for late in selectors.late_steps(case)
    )
    return [
        ["编号", case.number],
        ["单位", case.unit.name],
        ["代理员", case.agent.full_name],
        ["接待日期", _cn(case.received_on)],
        ["状态", case.get_status_display()],
        ["信访人", selectors.petitioner_names(case)],
        ["信访人数", f"{case.people_count}人" + ("（集体访）" if case.is_collective else "")],
        ["投诉对象", f"{case.respondent_name}（{case.get_respondent_kind_display()}）"],
        ["信访类型", case.get_petition_type_display()],
        ["内容分类", case.category.name],
        ["事发地", case.incident_display],
        ["诉求标题", case.title],
        ["诉求内容", case.content if full else "（脱敏版本不含诉求内容）"],
        ["引导途径", case.get_referral_channel_display() if case.referral_channel else ""],
        [
            "授权委托",
            f"{case.get_authorization_mode_display()}，{_cn(case.authorized_on)}"
            if case.authorization_mode
            else "",
        ],
        ["投诉平台", case.platform.name if case.platform else ""],
        ["平台用户名", secret(case.platform_username)],
        ["查询码", secret(case.query_code)],
        ["网上提交时间", _at(case.submitted_at)],
        ["有权处理机关", case.handling_body],
        [
            "转送交办",
            f"{case.get_forward_mode_display()}，{_cn(case.forwarded_on)}" if case.forwarded_on else "",
        ],
        ["有权处理机关收到", _cn(case.body_received_on)],
        ["受理告知", _cn(case.accepted_on)],
        ["办结", _cn(case.concluded_on) + opinion],
        ["答复（告知）送达", _cn(case.delivered_on)],
        ["复查意见送达", _cn(case.review_delivered_on)],
        ["逾期提出的申请", late],
        ["终结", _cn(case.closed_on)],
    ]


def _petitioners(case: Case, *, full: bool) -> list[list]:
    rows = []
    for number, person in enumerate(case.petitioners(), start=1):
        rows.append(
            [
                number,
                person.name,
                person.id_kind_label,
                person.id_number if full else mask_id_number(person.id_number),
                person.mobile if full else mask_phone(person.mobile),
                person.landline if full else mask_phone(person.landline),
                person.address if full else mask_address(person.address),
                person.work_unit,
            ]
        )
    return rows


def _notes(event) -> str:
    """The event's notes, and what the history card shows beside them: the kind of files added."""
    notes = list(event.notes)
    kind = (event.data or {}).get("kind")
    if kind in FileKind.values:
        notes.append(f"{FileKind(kind).label} {len(event.data.get('files', []))} 个")
    return "\n".join(notes)


def _history(case: Case) -> list[list]:
    return [
        [
            number,
            event.label,
            _cn(event.on),
            STATUS.get(event.from_status, ""),
            STATUS.get(event.to_status, ""),
            _notes(event),
            _at(event.at),
            event.by.full_name,
        ]
        for number, event in enumerate(case.events.select_related("by").order_by("at", "id"), start=1)
    ]


def _follow_ups(case: Case) -> list[list]:
    return [
        [
            _cn(f.on),
            f.get_means_display(),
            f.contact,
            f.content,
            _cn(f.next_on),
            f.by.full_name,
            _at(f.created_at),
        ]
        for f in case.follow_ups.select_related("by").order_by("on", "id")
    ]


def _sheets(case: Case, *, full: bool) -> list[tuple[str, tuple[Column, ...], list[list]]]:
    own = [
        ("事项信息", (Column("项目", 18), Column("内容", 90)), _particulars(case, full=full)),
        (
            "信访人",
            (
                Column("序号", 6),
                Column("姓名", 12),
                Column("证件类型", 16),
                Column("证件号码", 22),
                Column("手机号码", 14),
                Column("固定电话", 14),
                Column("家庭住址", 36),
                Column("工作单位", 20),
            ),
            _petitioners(case, full=full),
        ),
        (
            "办理记录",
            (
                Column("序号", 6),
                Column("环节", 22),
                Column("日期", 16),
                Column("原状态", 18),
                Column("新状态", 18),
                Column("说明", 50),
                Column("记录时间", 20),
                Column("记录人", 10),
            ),
            _history(case),
        ),
        (
            "跟踪督办",
            (
                Column("跟踪日期", 16),
                Column("方式", 8),
                Column("联系对象", 16),
                Column("情况", 60),
                Column("下次跟踪日期", 16),
                Column("记录人", 10),
                Column("记录时间", 20),
            ),
            _follow_ups(case),
        ),
    ]
    return own + [(s.title, s.columns, s.rows(case)) for s in hooks.case_sheets()]


def history_xlsx(case: Case, *, full: bool) -> bytes:
    """The workbook, one sheet each; a sheet with no rows says so under its header."""
    book = xlsx.workbook()
    book.remove(book.active)
    for title, columns, rows in _sheets(case, full=full):
        sheet = book.create_sheet(title)
        header = f"{case.number} {title}"
        xlsx.print_setup(sheet, [c.width for c in columns], title_columns=0, header=header)
        sheet.append(xlsx.header_cells(sheet, [c.header for c in columns]))
        for values in rows or [[NOTHING]]:
            xlsx.append(sheet, values)
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = WRAP
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
