"""What the clocks add to the ledger (台账) and to a case's file (归档), through ``cases.hooks``.

- The ledger: 超期期限, each 办理期限 of the case that ran past its due date: still running
  (「已超期12日」) or met late (「逾期5日完成」); one query for a chunk of rows, on the partial
  index of the ever-late deadlines (``casedeadline_late``).
- The case file: a sheet 法定期限 in the history workbook, every clock with its state.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q
from django.utils import timezone

from xinfang.cases import hooks
from xinfang.cases.hooks import CaseSheet, Column, LedgerColumns
from xinfang.deadlines.models import CaseDeadline, ClockKind, DayCount
from xinfang.deadlines.selectors import deadlines_for_case


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def overdue_text(name: str, due_on, stopped_on, today) -> str:
    if stopped_on is None:
        return f"{name}（{_cn(due_on)}届满，已超期{(today - due_on).days}日）"
    return f"{name}（{_cn(due_on)}届满，逾期{(stopped_on - due_on).days}日完成）"


def _values(rows) -> list[list]:
    today = timezone.localdate()
    late = (
        CaseDeadline.objects.filter(case_id__in=[row["pk"] for row in rows], clock__kind=ClockKind.DEADLINE)
        # The partial index's own condition: the deadlines that can have been 超期 on any day.
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=F("due_on")))
        .filter(Q(stopped_on__isnull=False) | Q(due_on__lt=today))
        .order_by("started_on", "id")
        .values_list("case_id", "clock__name", "due_on", "stopped_on")
    )
    texts: dict[int, list[str]] = defaultdict(list)
    for case_id, name, due_on, stopped_on in late:
        texts[case_id].append(overdue_text(name, due_on, stopped_on, today))
    return [["；".join(texts.get(row["pk"], []))] for row in rows]


LEDGER = LedgerColumns(
    key="deadlines",
    columns=(Column("超期期限", 36, printed="超期期限"),),
    values=_values,
    order=30,
)


def _length(deadline: CaseDeadline) -> str:
    unit = "个工作日" if deadline.day_count == DayCount.WORKDAYS else "日"
    extra = f"（延长{deadline.extension_days}日）" if deadline.extension_days else ""
    return f"{deadline.length}{unit}{extra}"


def sheet_rows(case) -> list[list]:
    """法定期限: every clock of the case, running and stopped, with its state today."""
    rows = []
    for state in deadlines_for_case(case):
        d = state.deadline
        rows.append(
            [
                d.clock.name,
                d.clock.legal_basis,
                _length(d),
                _cn(d.started_on),
                _cn(d.due_on) + ("（暂定）" if d.provisional else ""),
                _cn(d.stopped_on),
                state.state,
            ]
        )
    return rows


SHEET = CaseSheet(
    key="deadlines",
    title="法定期限",
    columns=(
        Column("期限", 12),
        Column("依据", 24),
        Column("期限长度", 14),
        Column("起算日", 16),
        Column("届满日", 16),
        Column("终止日", 16),
        Column("状态", 14),
    ),
    rows=sheet_rows,
    order=10,
)


def register() -> None:
    hooks.add_ledger_columns(LEDGER)
    hooks.add_case_sheet(SHEET)
