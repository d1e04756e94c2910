"""``xinfang demo``: create the demo data once, then print how to log in (run by ``make run``)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinfang import demo


class Command(BaseCommand):
    help = "创建演示数据（虚构的单位、账户和代理事项），已存在时不重复创建，并显示登录方法。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default=demo.LOGIN_URL,
            help=f"the address printed for logging in (default {demo.LOGIN_URL})",
        )

    def handle(self, *args, address, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境（XINFANG_ENV=production）不创建演示数据。")
        current = demo.state()
        if current == "other":
            self.stdout.write(
                "数据库中已有单位或账户（不是演示数据），未创建演示数据。"
                "如需试用，请使用空的数据目录（XINFANG_DATA_DIR）。"
            )
            return
        if current == "empty":
            try:
                summary = demo.build()
            except demo.MissingReferenceData as exc:
                raise CommandError(f"{exc}。请先运行 xinfang migrate。") from exc
            counts = "，".join(
                f"{label}{summary.by_status.get(value, 0)}件" for value, label in demo.status_labels()
            )
            self.stdout.write(
                f"已创建演示数据：单位{summary.units}个，账户{summary.users}个，代理事项{summary.cases}件（{counts}）。"
            )
        else:
            self.stdout.write("演示数据已存在，未重复创建。")
        self.stdout.write(demo.login_help(address))
