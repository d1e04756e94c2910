"""The case side in its layers: what cases, deadlines and ratings may import, and that none of
them compares a user's role (the capability table answers, ``xinfang.access``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

XINFANG = Path(__file__).resolve().parents[2]
TEMPLATES = XINFANG / "templates"

# Each app, and the apps it must not import (those above it, and those beside it).
ABOVE = {
    "cases": {"deadlines", "ratings", "notify", "public", "oversight", "figures", "bulletins", "ops"},
    "deadlines": {"ratings", "notify", "public", "oversight", "figures", "bulletins", "ops"},
    "ratings": {"public", "oversight", "figures", "bulletins", "ops"},
}


def _sources(app: str) -> list[Path]:
    return [
        p for p in (XINFANG / app).rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]


def _imported_apps(path: Path) -> set[str]:
    """Every app of xinfang a module imports, at its top or inside a function."""
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "xinfang" and len(parts) > 1:
                apps.add(parts[1])
                if parts[1] == "core" and len(parts) > 2 and parts[2] == "demo":
                    apps.add("demo")
    return apps


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_no_import_reaches_up_or_across(app):
    found = {
        str(path.relative_to(XINFANG)): sorted(_imported_apps(path) & (ABOVE[app] | {"demo"}))
        for path in _sources(app)
    }
    assert {path: apps for path, apps in found.items() if apps} == {}


ROLE_TEST = re.compile(r"role_required|\.role\s*(==|!=|\bin\b|\bnot in\b)|\brole\s*(==|!=)|READERS|WRITERS")


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_no_role_is_compared(app):
    places = [p for p in _sources(app)] + sorted((TEMPLATES / app).rglob("*.html"))
    found = [
        f"{path.relative_to(XINFANG)}:{number}"
        for path in places
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE_TEST.search(line)
    ]
    assert found == []
