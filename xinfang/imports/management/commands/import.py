"""``xinfang import ledger FILE --unit 城关镇 [--dry-run]``

Brings a unit's Excel 台账 kept before the platform in, as the page does: the headers matched
by name and by the unit's saved mapping, every row checked, the problems listed with their
sheet, row and column; then, unless ``--dry-run`` or a problem was found, all rows in one
transaction, with the progress on the way. Run from the server's shell: the cases are recorded
in their agents' names and the audit log says “(command line)”. Exit status 1 when the file has
problems (nothing was written).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts.models import Unit
from xinfang.core.errors import DomainError
from xinfang.imports import actions, selectors
from xinfang.imports.workbook import UnreadableWorkbook


class Command(BaseCommand):
    help = "Import a unit's Excel ledger (台账) kept before the platform; --dry-run only checks it."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["ledger"])
        parser.add_argument("file", type=Path, help="the .xlsx file")
        parser.add_argument("--unit", required=True, help="the unit's name, e.g. 城关镇")
        parser.add_argument("--dry-run", action="store_true", help="check only: list what would be created")

    def handle(self, *args, what, file, unit, dry_run, **options):
        unit_obj = Unit.objects.filter(name=unit).first()
        if unit_obj is None:
            raise CommandError(f"没有名为“{unit}”的单位。")
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from None
        try:
            report = selectors.dry_run(content, unit=unit_obj, by=None)
        except UnreadableWorkbook as exc:
            raise CommandError(str(exc)) from None
        self._report(report)
        if not report.ok:
            self.stderr.write(f"发现 {len(report.problems)} 个问题，没有导入任何一行。")
            sys.exit(1)
        if dry_run or not report.to_create:
            self.stdout.write("（试导入，没有写入任何数据。）" if dry_run else "没有需要新建的事项。")
            return
        upload = SimpleUploadedFile(file.name, content)
        try:
            batch = actions.start_import(by=None, unit=unit_obj, upload=upload)
            prepared = actions.prepare_import(batch, by=None)
            for step in actions.run_import(prepared):
                if step.finished:
                    self.stdout.write(self._finished(step, unit_obj))
                else:
                    self.stderr.write(f"已导入 {step.done} / {step.total} 件（{step.percent}%）")
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _report(self, report) -> None:
        for row in report.rows:
            shown = row.shown
            line = f"工作表“{row.sheet}”第{row.number}行 {shown.get('name', '')} {shown.get('received_on', '')} {shown.get('title', '')}"
            if row.skip:
                self.stdout.write(f"{line}：跳过（{row.skip}）")
            elif row.entry is not None:
                notes = "；".join(row.notes)
                self.stdout.write(
                    f"{line}：新建事项（{shown.get('status', '')}）" + (f"；{notes}" if notes else "")
                )
        for note in report.notes:
            self.stdout.write(f"说明：{note}")
        for problem in report.problems:
            self.stderr.write(f"问题：{problem}")
        self.stdout.write(
            f"共读取 {len(report.rows)} 行：将新建 {len(report.to_create)} 件，跳过 {len(report.skipped)} 行，问题 {len(report.problems)} 个。"
        )

    @staticmethod
    def _finished(step, unit) -> str:
        settled = f"；{step.settled} 个期限导入前已超期，不再发送超期提醒" if step.settled else ""
        return f"已为{unit.name}导入 {step.done} 件事项{settled}。"
