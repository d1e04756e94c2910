"""``xinfang serve``: the production server (gunicorn) started the same way everywhere.

1. Check that the database answers, its schema is current and the data key opens the data.
2. Collect the static files into STATIC_ROOT (whitenoise serves them from there).
3. Replace this process with gunicorn's master, so systemd's main PID and signals (TERM for a
   graceful stop, HUP to reload the workers) reach gunicorn itself.

The server always runs with DEBUG off, in development too: what ``make run`` shows is what
users see, Chinese error pages included. ``xinfang runserver`` remains the developer's server.
"""

from __future__ import annotations

import os
import re
import sys

from xinfang.ops.errors import OpsError

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_TIMEOUT = 120
MAX_DEFAULT_WORKERS = 12


def default_workers(cpus: int | None = None) -> int:
    """gunicorn's rule of thumb, 2 × CPUs + 1, capped: a county's load never needs more."""
    cpus = cpus or os.cpu_count() or 1
    return min(2 * cpus + 1, MAX_DEFAULT_WORKERS)


def check_bind(bind: str) -> str:
    """HOST:PORT, [IPv6]:PORT or unix:/path; a bare port means 127.0.0.1."""
    if bind.isdigit():
        bind = f"127.0.0.1:{bind}"
    if bind.startswith("unix:"):
        return bind
    match = re.fullmatch(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):(\d{1,5})", bind)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise OpsError(f"监听地址“{bind}”无效，应为 主机:端口，如 127.0.0.1:8000。")
    return bind


def gunicorn_command(*, bind: str, workers: int, timeout: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:xinfang.ops.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
    ]


def server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["XINFANG_DEBUG"] = "0"
    env.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    return env
