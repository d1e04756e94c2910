"""The copy given to a petitioner (《个人信息保护法》第四十五条): one .zip with a workbook of
everything held about them and their files, decrypted. The platform password is left out, as
from every list and export (it is the petitioner's own, and wiped after the case closes).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable

from django.utils import timezone

from xinfang.cases.models import FileKind
from xinfang.core import files, xlsx
from xinfang.core.models import StoredFile
from xinfang.privacy.selectors import Holdings

WORKBOOK = "个人信息.xlsx"
FILES = "文件"


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _moment(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _sheet(book, title: str, header: list[str], rows: Iterable[list]) -> None:
    sheet = book.create_sheet(title)
    xlsx.append(sheet, header)
    for cell in sheet[1]:
        cell.font = xlsx.font(bold=True)
    for values in rows:
        xlsx.append(sheet, values)
    sheet.freeze_panes = "A2"


def _people(found: Holdings) -> list[list]:
    return [
        [
            v.unit.name,
            v.version,
            v.name,
            v.id_kind_label,
            v.id_number,
            v.mobile,
            v.landline,
            v.address,
            v.work_unit,
            _moment(v.created_at),
        ]
        for v in found.versions
    ]


def _cases(found: Holdings) -> list[list]:
    rows = []
    for row in found.cases:
        c = row.case
        rows.append(
            [
                c.number,
                c.unit.name,
                row.role,
                _day(c.received_on),
                c.get_status_display(),
                c.get_petition_type_display(),
                c.category.name,
                c.respondent_name,
                c.title,
                c.content,
                c.incident_display,
                c.platform.name if c.platform else "",
                c.platform_username if row.main else "",
                c.query_code if row.main else "",
                _moment(c.submitted_at),
                c.handling_body,
                _day(row.final_day),
            ]
        )
    return rows


def _history(found: Holdings) -> list[list]:
    numbers = {c.case.pk: c.case.number for c in found.cases}
    return [
        [numbers[case_id], _moment(e.at), e.label, _day(e.on), found.notes(e)]
        for case_id, events in found.events.items()
        for e in events
    ]


def _follow_ups(found: Holdings) -> list[list]:
    numbers = {c.case.pk: c.case.number for c in found.cases}
    return [
        [numbers[case_id], _day(u.on), u.get_means_display(), u.contact, u.content]
        for case_id, items in found.follow_ups.items()
        for u in items
    ]


def _ratings(found: Holdings) -> list[list]:
    rows = []
    for row in found.cases:
        rating, form = found.ratings.get(row.case.pk), found.feedback.get(row.case.pk)
        if rating is None and form is None:
            continue
        rows.append(
            [
                row.case.number,
                rating.get_office_satisfaction_display() if rating else "",
                rating.get_body_satisfaction_display() if rating else "",
                rating.comment if rating else "",
                _day(rating.rated_on) if rating else "",
                form.get_agent_rating_display() if form else "",
                form.office_comment if form else "",
                form.body_comment if form else "",
                _day(form.delivered_at) if form else "",
            ]
        )
    return rows


def _reports(found: Holdings) -> list[list]:
    """The reports of the person's cases; never one of no case that only bears the same name (it
    may be someone else's)."""
    numbers = {c.case.pk: c.case.number for c in found.cases}
    return [
        [
            numbers.get(r.case_id or 0, ""),
            r.unit.name,
            r.get_kind_display(),
            _day(r.happened_on),
            r.petitioner_name,
            r.description,
            r.disposal,
        ]
        for r in found.reports
    ]


def _file_rows(found: Holdings) -> list[tuple[str, list, StoredFile]]:
    """(name in the zip, row of the list, stored file) for every file of the person's cases."""
    out = []
    labels = dict(FileKind.choices)
    for row in found.cases:
        number = row.case.number
        stored = [(labels.get(f.kind, f.kind), f.file) for f in found.files.get(row.case.pk, [])]
        form = found.feedback.get(row.case.pk)
        if form is not None and form.signed_scan is not None:
            stored.append(("反馈表签字扫描件", form.signed_scan))
        for i, (label, item) in enumerate(stored, start=1):
            ext = os.path.splitext(files.download_name(item))[1]
            name = f"{FILES}/{number}/{i:02d}-{label}{ext}"
            out.append(
                (
                    name,
                    [
                        number,
                        label,
                        item.original_name,
                        item.size,
                        item.sha256,
                        _moment(item.uploaded_at),
                        name,
                    ],
                    item,
                )
            )
    return out


def person_zip(found: Holdings) -> bytes:
    listed = _file_rows(found)
    book = xlsx.workbook()
    book.remove(book.active)
    _sheet(
        book,
        "信访人信息",
        [
            "单位",
            "版本",
            "姓名",
            "证件类型",
            "证件号码",
            "手机号码",
            "固定电话",
            "家庭住址",
            "工作单位",
            "登记时间",
        ],
        _people(found),
    )
    _sheet(
        book,
        "代理事项",
        [
            "编号",
            "单位",
            "身份",
            "接待日期",
            "状态",
            "信访类型",
            "内容分类",
            "投诉对象",
            "诉求标题",
            "诉求内容",
            "事发地",
            "投诉平台",
            "平台用户名",
            "查询码",
            "网上提交时间",
            "有权处理机关",
            "终结日期",
        ],
        _cases(found),
    )
    _sheet(book, "办理记录", ["编号", "记录时间", "环节", "日期", "说明"], _history(found))
    _sheet(book, "跟踪督办", ["编号", "日期", "方式", "联系对象", "情况"], _follow_ups(found))
    _sheet(
        book,
        "评价与反馈",
        [
            "编号",
            "对信访机构",
            "对有权处理机关",
            "评价意见",
            "评价日期",
            "对代理工作",
            "反馈表意见（信访机构）",
            "反馈表意见（责任机关）",
            "送达时间",
        ],
        _ratings(found),
    )
    _sheet(
        book,
        "风险报告",
        ["事项编号", "报告单位", "类别", "发生日期", "信访人", "情况", "处置情况"],
        _reports(found),
    )
    _sheet(
        book,
        "文件清单",
        ["编号", "类别", "原文件名", "大小（字节）", "SHA-256", "上传时间", "在压缩包中的位置"],
        [r for _, r, _ in listed],
    )
    sheet_bytes = io.BytesIO()
    book.save(sheet_bytes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(WORKBOOK, sheet_bytes.getvalue())
        for name, _row, item in listed:
            archive.writestr(name, files.read(item))
    return out.getvalue()
