"""What ratings add to the ledger (台账) and to a case's file (归档), through ``cases.hooks``.

- The ledger: the 反馈表's delivery date, the rating's date and channel, and the 满意度 for the
  petition office and for the handling body, read in the ledger's own query (two outer joins).
- The case file: the 反馈表 as .docx (made now from the saved form) and its signed scan, and a
  sheet 评价与反馈 in the history workbook.
"""

from __future__ import annotations

from functools import partial

from django.db.models import F

from xinfang.cases import hooks
from xinfang.cases.hooks import CaseSheet, Column, LedgerColumns, Paper
from xinfang.core import files
from xinfang.ratings import selectors
from xinfang.ratings.models import RatingChannel, Satisfaction

# The ledger's words for the channel: the choices' labels are whole sentences.
CHANNEL_SHORT = {
    RatingChannel.PLATFORM: "网上信访平台（凭查询码）",
    RatingChannel.PUBLIC: "本平台查询页",
    RatingChannel.AGENT: "代理员代为评价",
}
SATISFACTION = dict(Satisfaction.choices)
FOLDER = "反馈表"


def _prepare(cases):
    return cases.annotate(
        ratings_delivered_at=F("feedback_form__delivered_at"),
        ratings_rated_on=F("rating__rated_on"),
        ratings_channel=F("rating__channel"),
        ratings_office=F("rating__office_satisfaction"),
        ratings_body=F("rating__body_satisfaction"),
    )


def _values(rows) -> list[list]:
    return [
        [
            row["ratings_delivered_at"],
            row["ratings_rated_on"],
            CHANNEL_SHORT.get(row["ratings_channel"], ""),
            SATISFACTION.get(row["ratings_office"], ""),
            SATISFACTION.get(row["ratings_body"], ""),
        ]
        for row in rows
    ]


LEDGER = LedgerColumns(
    key="ratings",
    columns=(
        Column("反馈表送达日期", 14, printed="反馈表送达"),
        Column("评价日期", 12),
        Column("评价方式", 20, printed="评价方式"),
        Column("对信访机构满意度", 12, printed="信访机构满意度"),
        Column("对有权处理机关满意度", 12, printed="处理机关满意度"),
    ),
    values=_values,
    prepare=_prepare,
    order=10,
)


def _feedback_docx(case, form) -> bytes:
    from xinfang.ratings import documents  # python-docx: loaded when a case file is made

    return documents.feedback_docx(case, form)


def papers(case, *, full: bool) -> list[Paper]:
    """The 反馈表 (.docx, as saved) and its signed scan, where a form was saved. It names the
    petitioner and nothing more personal, so the masked and the full file hold the same."""
    form = selectors.feedback_for(case)
    if form is None:
        return []
    found = [
        Paper(
            folder=FOLDER,
            name=f"反馈表-{case.number}.docx",
            title="《网上投诉代理情况反馈表》（按已保存的内容生成）",
            read=partial(_feedback_docx, case, form),
        )
    ]
    if form.signed_scan is not None:
        scan = form.signed_scan
        found.append(
            Paper(
                folder=FOLDER,
                name=f"反馈表签字扫描件{files.EXTENSIONS.get(scan.content_type, '')}",
                title="反馈表（信访人签字后）扫描件",
                read=partial(files.read, scan),
            )
        )
    return found


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def sheet_rows(case) -> list[list]:
    """评价与反馈: the rating and the 反馈表, item by item."""
    rows: list[list] = []
    rating = selectors.rating_for(case)
    if rating is not None:
        rows += [
            ["满意度评价", "评价日期", _cn(rating.rated_on)],
            ["满意度评价", "评价方式", rating.get_channel_display()],
            ["满意度评价", "对信访机构", rating.get_office_satisfaction_display()],
            ["满意度评价", "对有权处理机关", rating.get_body_satisfaction_display()],
            ["满意度评价", "具体意见", rating.comment],
            ["满意度评价", "登记人", rating.entered_by.full_name if rating.entered_by else "信访人本人"],
        ]
    form = selectors.feedback_for(case)
    if form is not None:
        rows += [
            ["反馈表", "送达时间", _cn(form.delivered_at)],
            ["反馈表", "送达人", form.delivered_by],
            ["反馈表", "对代理工作评价", form.get_agent_rating_display()],
            ["反馈表", "对信访机构", form.get_office_satisfaction_display()],
            ["反馈表", "信访机构不满意原因", "、".join(form.office_reason_labels())],
            ["反馈表", "对责任机关处理意见", form.get_body_satisfaction_display()],
            ["反馈表", "责任机关不满意原因", "、".join(form.body_reason_labels())],
            [
                "反馈表",
                "信访人签字",
                f"已签字 {_cn(form.signed_on)}".strip() if form.petitioner_signed else "未签字",
            ],
        ]
    return rows


SHEET = CaseSheet(
    key="ratings",
    title="评价与反馈",
    columns=(Column("类别", 12), Column("项目", 20), Column("内容", 60)),
    rows=sheet_rows,
    order=20,
)


def register() -> None:
    hooks.add_ledger_columns(LEDGER)
    hooks.add_case_papers("ratings", papers, order=10)
    hooks.add_case_sheet(SHEET)
