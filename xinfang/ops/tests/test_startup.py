"""Commands run from a shell or cron start without the libraries only pages and files need.

``xinfang deadline`` and ``xinfang remind`` skip Django's system checks (which import every view)
and nothing they import loads openpyxl, python-docx or django-ninja. Each command runs in a
child process, as from a shell, and says at exit which of those libraries it loaded.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from xinfang.ops.tests.helpers import PROJECT_DIR, child_env

HEAVY = ("openpyxl", "xlsxwriter", "docx", "segno", "ninja", "pydantic", "phonenumbers")
# What the apps' ready() import to plug into one another (xinfang.core.startup).
PLUGS = ("xinfang.cases.actions_people", "xinfang.bulletins.selectors", "xinfang.ratings.archive")

CHILD = """
import atexit, sys
heavy = {heavy!r}
atexit.register(lambda: print("loaded:" + ",".join(m for m in heavy if m in sys.modules)))
sys.argv = ["xinfang", *{args!r}]
from xinfang.cli import main
main()
"""


def loaded(tmp_path, *args: str, modules: tuple[str, ...] = HEAVY) -> set[str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", CHILD.format(heavy=modules, args=list(args))],
        env=child_env(XINFANG_DATA_DIR=str(tmp_path)),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = [line for line in done.stdout.splitlines() if line.startswith("loaded:")]
    assert line, done.stderr
    return {name for name in line[-1].removeprefix("loaded:").split(",") if name}


@pytest.mark.parametrize(
    "args",
    [
        # Past start-up and into the command, refused before the database is read.
        ("deadline", "--start", "2026-09-30", "--days", "99999"),
        ("remind", "--help"),
    ],
)
def test_quick_commands_load_no_heavy_library(tmp_path, args):
    assert loaded(tmp_path, *args) == set()


def test_the_system_checks_would_load_them(tmp_path):
    """The same probe sees what the checks import: the views' workbooks and documents."""
    assert {"openpyxl", "docx"} <= loaded(tmp_path, "check")


def test_deadline_starts_without_the_apps_plugged_together(tmp_path):
    args = ("deadline", "--start", "2026-09-30", "--days", "15", "--workdays")
    assert loaded(tmp_path, *args, modules=PLUGS) == set()


def test_other_commands_plug_the_apps_together(tmp_path):
    assert loaded(tmp_path, "remind", "--help", modules=PLUGS) == set(PLUGS)
