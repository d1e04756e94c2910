"""The house keeps its shape: apps in layers, roles compared only by the access module, small
files and functions, and each app's rooms as the README lists them."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
XINFANG = PROJECT / "xinfang"
APPS = sorted(p.name for p in XINFANG.iterdir() if (p / "apps.py").exists())
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 90  # "about 80", docstring included


def product_sources() -> list[Path]:
    """The platform's own code: not its tests, not its migrations."""
    return sorted(
        p for p in XINFANG.rglob("*.py") if not {"tests", "migrations"} & set(p.relative_to(XINFANG).parts)
    )


def test_the_apps_keep_their_layers():
    """The contract in pyproject.toml ([tool.importlinter]): an app imports only those below it."""
    from importlinter.cli import lint_imports

    cwd = os.getcwd()
    os.chdir(PROJECT)
    try:
        assert lint_imports(no_cache=True, no_logo=True) == 0, "run lint-imports to see the broken import"
    finally:
        os.chdir(cwd)


ROLE_TEST = re.compile(r"role_required|\.role\s*(==|!=|\bin\b|\bnot in\b)|\brole\s*(==|!=)|READERS|WRITERS")
# A role compared as a value being changed, not as a permission: update_user notes the change.
NOT_A_PERMISSION = {
    ("accounts/actions.py", "if account.pk == by.pk and role != account.role:"),
    ("accounts/actions.py", "if role != account.role:"),
}


def test_nothing_but_the_access_module_compares_a_role():
    places = [p for p in product_sources() if p.relative_to(XINFANG).parts[0] != "access"]
    places += sorted((XINFANG / "templates").rglob("*.html"))
    found = [
        f"{path.relative_to(XINFANG)}:{number}: {line.strip()}"
        for path in places
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE_TEST.search(line) and (str(path.relative_to(XINFANG)), line.strip()) not in NOT_A_PERMISSION
    ]
    assert found == []


def test_files_and_functions_stay_small():
    long_files = []
    long_functions = []
    for path in product_sources():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(XINFANG))
        if text.count("\n") > MAX_FILE_LINES:
            long_files.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}: {node.name} ({length} lines)")
    assert long_files == [] and long_functions == []


ROOMS = ("models", "actions", "selectors", "forms", "views", "urls", "tests")


def rooms_in_readme() -> dict[str, set[str]]:
    """The README's table of rooms: | app | models | actions | … | with ✓ where the app has it."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- rooms -->", 2)[1]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == len(ROOMS) + 1 and cells[0].startswith("`"):
            rows[cells[0].strip("`/")] = {room for room, cell in zip(ROOMS, cells[1:], strict=True) if cell}
    return rows


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_the_rooms_the_readme_says(app):
    present = {
        room for room in ROOMS if (XINFANG / app / f"{room}.py").exists() or (XINFANG / app / room).is_dir()
    }
    assert rooms_in_readme().get(app) == present
