"""``xinfang audit verify [--anchor FILE]…`` and ``xinfang audit anchor -o FILE``

verify   recomputes the audit log's hash chain and compares it with every anchor in the
         anchor table and in the given files; prints what it finds in Chinese; exit status 1
         when anything was changed, deleted, inserted or cut off, 0 when the log is whole.
anchor   writes the head of the chain (seq, hash, time) to the anchor table and appends it as
         one JSON line to FILE (``-`` prints it), for the auditor to keep outside the server.

Run daily (README, "The audit log"): ``xinfang audit verify --anchor FILE && xinfang audit
anchor -o FILE``, then copy FILE away from the server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xinfang.access.rules import Refused
from xinfang.audit import actions, integrity


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or write down its head as an anchor."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        verify = sub.add_parser("verify", help="recompute the chain and compare it with the anchors")
        verify.add_argument(
            "--anchor", action="append", type=Path, default=[], help="anchor file (repeatable)"
        )
        verify.add_argument("--by", default="", help="the auditor's username (default: command line)")
        anchor = sub.add_parser("anchor", help="write down the head of the chain")
        anchor.add_argument("-o", "--output", required=True, help="file to append the anchor line to, or -")
        anchor.add_argument("--by", default="", help="the auditor's username (default: command line)")

    def handle(self, *args, what, by, **options):
        user = _auditor(by)
        try:
            if what == "verify":
                self._verify(user, options["anchor"])
            else:
                self._anchor(user, options["output"])
        except Refused:
            raise CommandError(f"账号“{by}”无权核验审计日志或记录锚点（见“谁能做什么”）。") from None
        except actions.AuditError as exc:
            raise CommandError(exc.message) from None

    def _verify(self, user, files: list[Path]) -> None:
        for path in files:
            if not path.is_file():
                raise CommandError(f"找不到锚点文件 {path}。")
        report = actions.verify_log(by=user, anchor_files=files, via="command")
        for line in report.findings:
            self.stdout.write(f"  - {line}")
        if report.problems > len(report.findings):
            self.stdout.write(f"  另有 {report.problems - len(report.findings)} 处问题未列出。")
        self.stdout.write(
            f"{report.summary()} 比对锚点 {report.anchors} 个，用时 {report.seconds:.1f} 秒。"
            f"链首哈希 {report.head_hash}。"
        )
        if not report.ok:
            sys.exit(1)

    def _anchor(self, user, output: str) -> None:
        anchor = actions.take_anchor(by=user)
        line = integrity.anchor_line(anchor)
        if output == "-":
            self.stdout.write(line)
            return
        path = Path(output)
        try:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise CommandError(f"无法写入锚点文件 {path}：{exc.strerror}。") from None
        self.stdout.write(f"已记录锚点：第 {anchor.seq} 条，哈希 {anchor.hash}，已追加到 {path}。")


def _auditor(username: str):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有账号“{username}”。")
    return user
