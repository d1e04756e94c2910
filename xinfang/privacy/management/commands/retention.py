"""``xinfang retention [--dry-run] [--no-compact]`` and ``xinfang retention --compact``

Applies the retention rules (bureau staff set them on the page 个人信息保存期限): lists what is
due (``--dry-run``, nothing written, no personal value printed), or erases it, rewrites the
database files, and writes the run with its counts to the audit log. Run it from cron, e.g.
monthly, or from the page. ``--compact`` only rewrites the database files (after a run whose
rewrite could not finish, or as the tables' owner on PostgreSQL).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from xinfang.privacy import actions, selectors
from xinfang.privacy.models import DataKind


class Command(BaseCommand):
    help = "Erase the personal data whose retention period has run out (个人信息保存期限)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due; change nothing")
        parser.add_argument("--no-compact", action="store_true", help="do not rewrite the database files")
        parser.add_argument("--compact", action="store_true", help="only rewrite the database files")

    def handle(self, *args, dry_run, no_compact, compact, **options):
        if compact:
            self.stdout.write(actions.compact_now().message)
            return
        due = selectors.due()
        years = "，".join(f"{DataKind(k).label}{due.years[k]}年" for k in DataKind.values)
        self.stdout.write(f"保存期限（自事项终结之日起）：{years}。截至{due.today:%Y-%m-%d}：")
        for row in due.cases:
            final = f"{row.final_day:%Y-%m-%d}" if row.final_day else "—"
            self.stdout.write(f"  {row.number}\t{row.unit_name}\t终结 {final}\t{row.kind_labels}")
        counts = "，".join(f"{DataKind(k).label}{due.count(k)}件" for k in DataKind.values)
        self.stdout.write(
            f"到期：{counts}；信访人信息{due.versions}条；未关联事项的风险报告{len(due.reports)}份。"
            + (
                f"另有{due.waiting}条信访人信息仍被保存期内或办理中的事项使用，暂不删除。"
                if due.waiting
                else ""
            )
        )
        if dry_run:
            self.stdout.write("（试运行，未作任何修改。）")
            return
        result = actions.run_retention(compact=not no_compact)
        t = result.tally
        self.stdout.write(
            f"已删除（匿名化）：{t.cases}件事项（诉求内容{t.content}件，文件{t.files}个，"
            f"平台账户和查询码{t.particulars}件），信访人信息{t.petitioners}条，风险报告{t.reports}份，"
            f"查询尝试记录{t.lookups}条；已记入审计日志。"
        )
        if result.compaction is not None:
            self.stdout.write(result.compaction.message)
