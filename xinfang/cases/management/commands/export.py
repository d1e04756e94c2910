"""``xinfang export ledger --from 2026-01-01 --to 2026-10-31 [--unit 城关镇] -o ledger.xlsx``
``xinfang export case-file --case 城关镇-2026-0001 [-o 案卷.zip] [--full --reason …]``

The ledger (台账) of the cases received in the period, one row per case, masked; a case's file
(归档: its papers, the history workbook and a manifest with each file's SHA-256) as a .zip,
masked. ``--full`` writes ID numbers, phones, addresses, platform user names and 查询码 whole
(never the password); it needs ``--reason`` and is written to the audit log, as every export is.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts.models import Unit
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import casefile, exports
from xinfang.cases.models import Case

COMMAND_LINE = "(command line)"


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 2026-10-31，收到“{text}”。") from None


def find_case(text: str) -> Case:
    """A case by its number (编号) or, all digits, by its id. A number two cases share (a unit
    renamed) is refused with their ids, to be given instead."""
    text = text.strip()
    if text.isdigit():
        case = Case.objects.filter(pk=int(text)).first()
    else:
        found = list(Case.objects.filter(number=text).order_by("pk")[:5])
        if len(found) > 1:
            ids = "、".join(str(c.pk) for c in found)
            raise CommandError(f"编号“{text}”对应多件事项（id：{ids}），请用 --case 加 id 指定。")
        case = found[0] if found else None
    if case is None:
        raise CommandError(f"没有编号或 id 为“{text}”的事项。")
    return case


class Command(BaseCommand):
    help = "Export the ledger (台账) as .xlsx, or a case's file (归档) as .zip."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["ledger", "case-file"])
        parser.add_argument("--from", dest="start", help="ledger: first reception date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="ledger: last reception date, YYYY-MM-DD")
        parser.add_argument("--unit", default="", help="ledger: one unit's name; default every unit")
        parser.add_argument("--case", default="", help="case-file: the case's number (编号) or id")
        parser.add_argument("-o", "--output", type=Path, help="the file to write (case-file: 案卷-编号.zip)")
        parser.add_argument("--full", action="store_true", help="unmasked (needs --reason; logged)")
        parser.add_argument("--reason", default="", help="why the unmasked copy is needed")

    def handle(self, *args, what, full, reason, **options):
        if full and not reason.strip():
            raise CommandError("导出完整信息（--full）必须用 --reason 说明用途，并记入审计日志。")
        if what == "ledger":
            self.ledger(full=full, reason=reason.strip(), **options)
        else:
            self.case_file(full=full, reason=reason.strip(), **options)

    def ledger(self, *, start, end, unit, output, full, reason, **options):
        if not (start and end and output):
            raise CommandError("导出台账需要 --from、--to 和 -o。")
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("--to 不能早于 --from。")
        cases = (
            Case.objects.filter(received_on__gte=start, received_on__lte=end)
            .select_related("unit", "petitioner", "category", "agent", "platform")
            .order_by("unit__sort_order", "received_on", "pk")
        )
        if unit:
            unit_obj = Unit.objects.filter(name=unit).first()
            if unit_obj is None:
                raise CommandError(f"没有名为“{unit}”的单位。")
            cases = cases.filter(unit=unit_obj)
        rows = cases.count()
        with output.open("wb") as fh:
            for chunk in exports.ledger_xlsx(cases, show_unit=not unit, full=full):
                fh.write(chunk)
        record(
            AuditAction.EXPORT,
            actor_name=COMMAND_LINE,
            target_type="ledger",
            masked=not full,
            reason=reason[:200],
            rows=rows,
            start=start.isoformat(),
            end=end.isoformat(),
            unit=unit,
        )
        self.stdout.write(
            f"已导出 {rows} 件到 {output}{'（完整信息，已记入审计日志）' if full else '（已脱敏）'}。"
        )

    def case_file(self, *, case, output, full, reason, **options):
        if not case:
            raise CommandError("导出案卷需要 --case 编号（或 id）。")
        found = find_case(case)
        made = casefile.case_file(
            found, full=full, made_by="命令行（xinfang export case-file）", reason=reason
        )
        output = output or Path(made.filename)
        record(
            AuditAction.EXPORT,
            actor_name=COMMAND_LINE,
            target=found,
            document="case_file",
            masked=not full,
            files=len(made.papers),
            **({"reason": reason[:200]} if full else {}),
        )
        with output.open("wb") as fh:
            for chunk in casefile.zip_chunks(made):
                fh.write(chunk)
        self.stdout.write(
            f"已导出事项 {found.number} 的案卷（{len(made.papers)} 个文件及清单）到 {output}"
            f"{'（完整信息，已记入审计日志）' if full else '（已脱敏）'}。"
        )
