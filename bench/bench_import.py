"""Importing an old 台账: how long a 10,000-row workbook takes to check (the dry run) and to
bring in, on the database of DATABASE_URL (SQLite in bench/.cache/import by default; for
PostgreSQL use a database of its own, e.g. postgres://postgres@127.0.0.1:5432/xinfang_bench_import).

Each run brings the workbook into a new town of its own, so runs do not skip each other's rows.
Prints figures; never fails on time.
Usage: .venv/bin/python bench/bench_import.py [rows, default 10000]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XINFANG_DATA_DIR", str(ROOT / "bench" / ".cache" / "import"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
os.environ.setdefault("XINFANG_DEBUG", "0")
Path(os.environ["XINFANG_DATA_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind, User  # noqa: E402
from xinfang.cases.models import Case, CaseEvent  # noqa: E402
from xinfang.deadlines.models import CaseDeadline  # noqa: E402
from xinfang.imports import actions, selectors, workbook  # noqa: E402
from xinfang.imports.tests.messy import messy_workbook  # noqa: E402


def town_and_agent() -> tuple[Unit, User]:
    stamp = timezone.now().strftime("%m%d%H%M%S%f")
    unit = Unit.objects.create(name=f"基准镇{stamp}", kind=UnitKind.TOWN, sort_order=900)
    agent = User.objects.create_user(
        username=f"bench{stamp}", password=None, role=Role.AGENT, unit=unit, full_name="王某某"
    )
    AgentProfile.objects.create(user=agent, title="代理员", mobile="13800000000", office_phone="0915-8822560")
    return unit, agent


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    engine = connection.vendor
    began = time.perf_counter()
    content = messy_workbook(extra_rows=rows - 4)
    print(
        f"{engine}: workbook of {rows} rows built in {time.perf_counter() - began:.1f} s ({len(content) // 1024} KB)"
    )
    unit, agent = town_and_agent()

    began = time.perf_counter()
    sheets = workbook.read(content)
    print(
        f"  reading the workbook: {time.perf_counter() - began:.1f} s, {sum(len(s.rows) for s in sheets)} rows"
    )
    began = time.perf_counter()
    report = selectors.dry_run(content, unit=unit, by=agent)
    print(
        f"  dry run: {time.perf_counter() - began:.1f} s; {len(report.to_create)} to create, "
        f"{len(report.problems)} problems"
    )

    batch = actions.start_import(by=agent, unit=unit, upload=SimpleUploadedFile("bench.xlsx", content))
    began = time.perf_counter()
    prepared = actions.prepare_import(batch, by=agent)
    checked = time.perf_counter()
    marks = []
    for step in actions.run_import(prepared):
        marks.append((time.perf_counter() - checked, step.done))
    total = time.perf_counter() - began
    print(
        f"  import: {total:.1f} s in all ({checked - began:.1f} s checking again, "
        f"{total - (checked - began):.1f} s writing); {rows / total:.0f} rows/s"
    )
    print(
        "  progress: " + ", ".join(f"{done} at {at:.1f} s" for at, done in marks[:: max(1, len(marks) // 6)])
    )
    cases = Case.objects.filter(unit=unit)
    print(
        f"  written: {cases.count()} cases, {CaseEvent.objects.filter(case__unit=unit).count()} events, "
        f"{CaseDeadline.objects.filter(unit=unit).count()} clocks"
    )
    again = selectors.dry_run(content, unit=unit, by=agent)
    print(f"  the same file again: {len(again.to_create)} to create, {len(again.skipped)} passed over")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
