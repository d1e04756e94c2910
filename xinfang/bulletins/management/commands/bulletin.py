"""``xinfang bulletin --month 2026-10 -o tongbao.docx [--publish --by USERNAME] [--number …] [--summary …]``

Without ``--publish``: the month's bulletin as it would be published now, marked 征求意见稿;
nothing is stored. With ``--publish``: publishes as the named bureau user (freezing the month's
figures; refused if the month is already published) and writes the published document.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.access.rules import Refused
from xinfang.accounts.models import User
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.bulletins import actions
from xinfang.figures.forms import MONTH_VALUE


def _month(text: str) -> datetime.date:
    match = MONTH_VALUE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"月份格式应为 2026-10，收到“{text}”。")
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class Command(BaseCommand):
    help = "Write the monthly bulletin (通报) as .docx; --publish freezes the month's figures."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("-o", "--output", required=True, type=Path)
        parser.add_argument("--publish", action="store_true", help="publish and freeze (needs --by)")
        parser.add_argument("--by", default="", help="the publishing bureau user's username")
        parser.add_argument(
            "--number", default="", help="issue number, e.g. 镇网代〔2026〕10号 (default: next)"
        )
        parser.add_argument("--summary", default="", help="text opening 一、总体情况")

    def handle(self, *args, month, output, publish, by, number, summary, **options):
        month = _month(month)
        if publish:
            if not by:
                raise CommandError("发布通报（--publish）须用 --by 指定发布人（县信访局工作人员账号）。")
            user = User.objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(f"没有账号“{by}”。")
            try:
                bulletin = actions.publish_bulletin(
                    month=month, by=user, issue_number=number, summary=summary
                )
            except Refused:
                raise CommandError(
                    f"账号“{by}”无权发布通报（发布人应为县信访局工作人员，见“谁能做什么”）。"
                ) from None
            except actions.BulletinError as exc:
                raise CommandError(exc.message) from None
            output.write_bytes(actions.read_document(bulletin))
            self.stdout.write(f"已发布{bulletin.month_label}通报（{bulletin.issue_number}），写入 {output}。")
            return
        draft = actions.draft_bulletin(month, summary=summary)
        output.write_bytes(draft.content)
        record(
            AuditAction.PRINT,
            actor_name="(command line)",
            target_type="bulletins.draft",
            target_id=f"{month:%Y-%m}",
            kind="bulletin_draft",
            month=month.isoformat(),
        )
        self.stdout.write(f"已生成{month.year}年{month.month}月通报草稿（征求意见稿），写入 {output}。")
