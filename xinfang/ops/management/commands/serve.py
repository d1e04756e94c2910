"""``xinfang serve [--bind 127.0.0.1:8000] [--workers N] [--timeout S]``: the production server."""

from __future__ import annotations

import os
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from xinfang.ops import selectors, serve
from xinfang.ops.errors import OpsError


class Command(BaseCommand):
    help = "以生产方式运行平台（gunicorn，静态文件由 whitenoise 提供，关闭调试页面）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=serve.DEFAULT_BIND,
            help=f"监听地址 主机:端口（默认 {serve.DEFAULT_BIND}；在 nginx 之后只应监听本机）",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=serve.default_workers(),
            help=f"工作进程数（默认 2×CPU+1，最多 {serve.MAX_DEFAULT_WORKERS}；本机为 {serve.default_workers()}）",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=serve.DEFAULT_TIMEOUT,
            help=f"一个请求最长处理秒数，超时的工作进程被重启（默认 {serve.DEFAULT_TIMEOUT}）",
        )

    def handle(self, *args, bind, workers, timeout, **options):
        try:
            bind = serve.check_bind(bind)
        except OpsError as exc:
            raise CommandError(str(exc)) from None
        if workers < 1 or timeout < 1:
            raise CommandError("--workers 和 --timeout 必须是正整数。")
        self.check_ready()
        started = time.monotonic()
        call_command("collectstatic", interactive=False, verbosity=0)
        # The master must not hand an open database connection to the workers it forks.
        connections.close_all()
        self.stdout.write(
            f"静态文件已收集到 {settings.STATIC_ROOT}（{time.monotonic() - started:.1f} 秒）。\n"
            f"正在启动 gunicorn：http://{bind}/ ，{workers} 个工作进程；按 Ctrl+C 停止。"
        )
        self.stdout.flush()
        sys.stderr.flush()
        command = serve.gunicorn_command(bind=bind, workers=workers, timeout=timeout)
        os.execve(command[0], command, serve.server_environment())  # noqa: S606 (fixed argv, no shell)

    def check_ready(self) -> None:
        """Refuse to start on a database that is unreachable, unmigrated or under another key."""
        failed = [check for check in selectors.health() if not check.ok]
        problems = [check.message for check in failed if check.name != "disk"]
        if problems:
            raise CommandError("无法启动：" + "；".join(problems) + "。")
        for check in failed:
            self.stderr.write(f"警告：{check.message}。")
