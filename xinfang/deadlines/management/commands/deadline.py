"""``xinfang deadline --start 2026-09-30 --days 15 [--workdays] [--explain]``: a due date.

Prints the due date as YYYY-MM-DD, one line on stdout (with ``--explain``, how it was reached
on the following lines). A provisional date (a year whose schedule is not entered) is printed
all the same, with the reason on stderr. Same function as the calculator page.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinfang.deadlines import calculator
from xinfang.deadlines.calculator import parse_date
from xinfang.deadlines.compute import CALENDAR, WORKDAYS

MAX_DAYS = 3650


class Command(BaseCommand):
    # A calculation on the calendar table: Django's checks would import every view for nothing.
    requires_system_checks = []
    help = "Print the due date of a statutory clock (start day not counted; official calendar)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--start", required=True, help="the day of the starting event, YYYY-MM-DD (not counted)"
        )
        parser.add_argument("--days", required=True, help="length of the clock")
        parser.add_argument(
            "--workdays", action="store_true", help="count working days instead of calendar days"
        )
        parser.add_argument("--explain", action="store_true", help="also print the days skipped and why")

    def handle(self, *args, start, days, workdays, explain, **options):
        try:
            start_day = parse_date(start)
        except ValueError as exc:
            raise CommandError(f"--start {start}：{exc}（格式 YYYY-MM-DD，如 2026-09-30）。") from None
        try:
            length = int(days)
        except ValueError:
            raise CommandError(f"--days {days}：应为整数天数，如 15。") from None
        if not 0 <= length <= MAX_DAYS:
            raise CommandError(f"--days {days}：应在 0 到 {MAX_DAYS} 之间。")
        calculation = calculator.calculate(start_day, length, WORKDAYS if workdays else CALENDAR)
        self.stdout.write(f"{calculation.due_on:%Y-%m-%d}")
        if explain:
            for step in calculation.steps:
                self.stdout.write(step.text)
        if calculation.result.provisional:
            self.stderr.write(f"暂定：{calculation.result.reason}")
