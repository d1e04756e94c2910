"""``xinfang restore DIR``: restore a backup into an empty database and data directory."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.ops import actions
from xinfang.ops.errors import OpsError


class Command(BaseCommand):
    help = "从备份恢复到空的数据库和空的数据目录（只放有密钥）；先校验清单，再核对数据密钥。"
    # The target is empty: checks that read the database have nothing to look at yet.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="一份备份的目录（含 manifest.json）")
        parser.add_argument(
            "--no-owner",
            action="store_true",
            help="PostgreSQL：不还原对象的所有者，全部归当前连接的角色（新服务器上角色名不同时使用）",
        )

    def handle(self, *args, backup, no_owner, **options):
        try:
            result = actions.restore(source=backup, no_owner=no_owner)
        except OpsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已从 {backup}（制作于 {result.created_at}）恢复到 {result.target}，"
            f"文件 {result.files} 个；清单已逐一校验，数据密钥可以解开恢复的数据。"
        )
        if result.pending_migrations:
            self.stdout.write(
                f"备份来自较早的版本：还有 {result.pending_migrations} 个数据库迁移，请运行 xinfang migrate。"
            )
