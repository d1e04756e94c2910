"""Command start-up: ``xinfang deadline`` and ``xinfang remind`` against the interpreter alone and
against a bare Django project's ``django.setup()``.

Each command is run as a new process, the commands taking turns round after round, so that a
busy machine slows them alike; the median of each is printed with its ratios. Prints figures;
never fails on time. The database (SQLite, migrated once) is under bench/.cache/startup.

Usage: .venv/bin/python bench/bench_startup.py [rounds, default 9]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "startup"
DEFAULT_ROUNDS = 9

# The yardstick: Django with its own contrib apps and nothing else.
BARE_SETTINGS = """
SECRET_KEY = "bench"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
"""


def xinfang() -> str:
    found = Path(sys.executable).with_name("xinfang")
    return str(found) if found.exists() else shutil.which("xinfang") or "xinfang"


def commands() -> dict[str, tuple[list[str], dict[str, str]]]:
    env = {**os.environ, "XINFANG_DATA_DIR": str(CACHE), "DJANGO_SETTINGS_MODULE": "xinfang.settings"}
    env.pop("DATABASE_URL", None)
    bare = {**os.environ, "PYTHONPATH": str(CACHE), "DJANGO_SETTINGS_MODULE": "bare_settings"}
    py = sys.executable
    return {
        "python -c pass": ([py, "-c", "pass"], env),
        "bare django.setup()": ([py, "-c", "import django; django.setup()"], bare),
        "xinfang deadline": ([xinfang(), "deadline", "--start", "2026-09-30", "--days", "15"], env),
        "xinfang remind --help": ([xinfang(), "remind", "--help"], env),
        "xinfang remind (a run)": ([xinfang(), "remind"], env),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepare() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "bare_settings.py").write_text(BARE_SETTINGS)
    _cmd, env = commands()["xinfang deadline"]
    subprocess.run([xinfang(), "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603


def run(rounds: int) -> None:
    prepare()
    runs = commands()
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (cmd, env) in runs.items():
            before, start = _children_cpu(), time.perf_counter()
            done = subprocess.run(cmd, env=env, capture_output=True, check=False)  # noqa: S603
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(_children_cpu() - before)
            if done.returncode:
                print(f"{name} failed:\n{done.stderr.decode()[-2000:]}")
                return
    # On shared cores the wall time swings with the others' load; the CPU time much less.
    print(f"command start-up, median of {rounds} rounds (taking turns): wall time, then CPU time")
    for label, times in (("wall", wall), ("CPU", cpu)):
        median = {name: statistics.median(values) for name, values in times.items()}
        python, bare = median["python -c pass"], median["bare django.setup()"]
        for name, value in median.items():
            print(
                f"  {label:4s} {name:24s} {value * 1000:7.0f} ms   {value / python:5.1f}× python -c pass   "
                f"{value / bare:4.2f}× bare django.setup()"
            )
    print(f"  load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1].isdigit() else ""
    run(int(arg) if arg else DEFAULT_ROUNDS)
    sys.exit(0)
