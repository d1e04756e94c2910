"""``xinfang backup -o DIR [--keep N] [--include-key]``: back up while the platform serves."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.ops import actions
from xinfang.ops.errors import OpsError


class Command(BaseCommand):
    help = "备份数据库和文件（平台运行中也可执行），附 SHA-256 清单；数据密钥不在备份中。"

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            type=Path,
            help="备份存放目录；每次备份在其中新建一个带时间的子目录",
        )
        parser.add_argument("--keep", type=int, help="只保留最新的 N 份备份，删除更早的")
        parser.add_argument(
            "--include-key",
            action="store_true",
            help="把数据密钥也放进备份（拿到备份的人即可读取全部个人信息，仅在确有必要时使用）",
        )

    def handle(self, *args, output, keep, include_key, **options):
        try:
            result = actions.backup(into=output, keep=keep, include_key=include_key)
        except OpsError as exc:
            raise CommandError(str(exc)) from None
        size_mb = result.size / (1024 * 1024)
        self.stdout.write(
            f"已备份到 {result.path}（{result.engine}，{result.files} 个文件，共 {size_mb:.1f} MB）。"
        )
        for path in result.removed:
            self.stdout.write(f"已删除旧备份 {path.name}。")
        if include_key:
            self.stderr.write(
                "警告：此备份含有数据密钥（key/xinfang_data_key）。拿到它的人可以读取全部个人信息："
                "请与普通备份分开、加密保存，用完即删除。"
            )
        else:
            self.stdout.write("数据密钥不在备份中：恢复时需要离线保存的密钥副本。")
