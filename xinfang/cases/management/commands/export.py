"""``xinfang export ledger --from 2026-01-01 --to 2026-10-31 [--unit 城关镇] -o ledger.xlsx``

The ledger (台账) of the cases received in the period, one row per case, masked. ``--full``
writes ID numbers, phones, platform user names and 查询码 whole (never the password); it
needs ``--reason`` and is written to the audit log.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts.models import Unit
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import exports
from xinfang.cases.models import Case


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 2026-10-31，收到“{text}”。") from None


class Command(BaseCommand):
    help = "Export the ledger (台账) as .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["ledger"])
        parser.add_argument("--from", dest="start", required=True, help="first reception date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last reception date, YYYY-MM-DD")
        parser.add_argument("--unit", default="", help="one unit's name; default every unit")
        parser.add_argument("-o", "--output", required=True, type=Path)
        parser.add_argument("--full", action="store_true", help="unmasked (needs --reason; logged)")
        parser.add_argument("--reason", default="", help="why the unmasked ledger is needed")

    def handle(self, *args, what, start, end, unit, output, full, reason, **options):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("--to 不能早于 --from。")
        if full and not reason.strip():
            raise CommandError("导出完整信息（--full）必须用 --reason 说明用途，并记入审计日志。")
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
            actor_name="(command line)",
            target_type="ledger",
            masked=not full,
            reason=reason.strip()[:200],
            rows=rows,
            start=start.isoformat(),
            end=end.isoformat(),
            unit=unit,
        )
        self.stdout.write(
            f"已导出 {rows} 件到 {output}{'（完整信息，已记入审计日志）' if full else '（已脱敏）'}。"
        )
