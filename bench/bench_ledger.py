"""The ledger's .xlsx export with the columns a 督察 asks for: rows per second against XlsxWriter
alone (and openpyxl's write-only mode) writing the very same rows, and queries.

Prints figures; never fails on time. The cases come from bench/province_data.py (deadlines,
ratings, events) at a small size, and each delivered case gets a 反馈表 and follow-ups here, so
that every column of the ledger has something to read. Data is generated once per database:
SQLite under bench/.cache/ledger-<size>, PostgreSQL in ``xinfang_bench_ledger_<size>``.

Usage: .venv/bin/python bench/bench_ledger.py [number of cases, default 5000] [sqlite|postgresql]
"""

from __future__ import annotations

import datetime
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("XINFANG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DEFAULT_SIZE = 5000
REPEAT = 3


def parent(size: int, only: str | None) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_province import postgres_ready

    cache = ROOT / "bench" / ".cache" / f"ledger-{size}"
    cache.mkdir(parents=True, exist_ok=True)
    base = {**os.environ, "XINFANG_DATA_DIR": str(cache), "DJANGO_SETTINGS_MODULE": "xinfang.settings"}
    base.pop("DATABASE_URL", None)
    runs = []
    if only in (None, "sqlite"):
        runs.append(("SQLite", base))
    if only in (None, "postgresql"):
        url = postgres_ready(f"xinfang_bench_ledger_{size}", keys=cache)
        if url:
            runs.append(("PostgreSQL", {**base, "DATABASE_URL": url}))
    for label, env in runs:
        print(f"\n===== {label} =====", flush=True)
        subprocess.run([sys.executable, __file__, "--child", str(size)], env=env, check=False)  # noqa: S603


def enrich(log) -> None:
    """A 反馈表 for most delivered cases and zero to four follow-ups for every submitted one."""
    from xinfang.cases.models import Case, FollowUp
    from xinfang.ratings.models import FeedbackForm

    if FeedbackForm.objects.exists():
        return
    rng = random.Random(20261201)  # noqa: S311
    delivered = Case.objects.filter(delivered_on__isnull=False).values_list("pk", "agent_id", "delivered_on")
    forms = [
        FeedbackForm(
            case_id=pk,
            documents="答复意见书",
            document_count=1,
            truthful=True,
            notified_in_time=True,
            forwarded_in_time=True,
            agent_rating="good",
            office_satisfaction="satisfied",
            body_satisfaction="basically",
            delivered_by="张某、李某",
            delivered_at=on,
            filled_by_id=agent,
        )
        for pk, agent, on in delivered
        if rng.random() < 0.8
    ]
    FeedbackForm.objects.bulk_create(forms, batch_size=500)
    submitted = Case.objects.filter(submitted_at__isnull=False).values_list("pk", "agent_id", "received_on")
    follow_ups = [
        FollowUp(
            case_id=pk,
            on=received + datetime.timedelta(days=10 * (n + 1)),
            means="phone",
            contact="县住建局",
            content="电话督促",
            by_id=agent,
        )
        for pk, agent, received in submitted
        for n in range(rng.randint(0, 4))
    ]
    FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    log(f"  added {len(forms):,} feedback forms and {len(follow_ups):,} follow-ups")


def child(size: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    import province_data
    from django.core.management import call_command
    from django.db import connection

    from xinfang.accounts.models import User
    from xinfang.cases import selectors

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    if province_data.marker() is None:
        print(f"generating {size:,} cases (once; kept for later runs)", flush=True)
        province_data.generate(size, log=lambda s: print(s, flush=True))
    enrich(lambda s: print(s, flush=True))
    province_data.settle(lambda s: print(s, flush=True))
    bureau = User.objects.get(username="pbench-bureau")
    cases = selectors.ledger(bureau, selectors.LedgerFilter())
    compare(cases)


def bare_xlsxwriter(rows: list[list], path: str) -> None:
    """The yardstick: XlsxWriter alone, constant memory, the rows already made."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("台账")
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    book.close()


def bare_openpyxl(rows: list[list], path: str) -> None:
    """openpyxl's write-only mode on the same rows: the other writer the export could use."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    for row in rows:
        sheet.append(row)
    book.save(path)


def compare(cases) -> None:
    """The product's export (query, decryption, rows, workbook) against the writers alone on the
    very rows it writes, taking turns REPEAT times; best of each, wall and this process's CPU."""
    import tempfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.cases import exports

    made = list(exports.ledger_rows(cases, show_unit=True))
    rows = len(made)
    folder = tempfile.mkdtemp(prefix="bench-ledger-")
    path = os.path.join(folder, "out.xlsx")
    sides = {
        "product export": lambda: exports.write_ledger(path, cases, show_unit=True, tmpdir=folder),
        "bare xlsxwriter": lambda: bare_xlsxwriter(made, path),
        "bare openpyxl": lambda: bare_openpyxl(made, path),
    }
    wall = dict.fromkeys(sides, float("inf"))
    cpu = dict.fromkeys(sides, float("inf"))
    queries = 0
    for _ in range(REPEAT):
        for name, fn in sides.items():
            with CaptureQueriesContext(connection) as captured:
                start, started_cpu = time.perf_counter(), time.process_time()
                fn()
                wall[name] = min(wall[name], time.perf_counter() - start)
                cpu[name] = min(cpu[name], time.process_time() - started_cpu)
            if name == "product export":
                queries = len(captured.captured_queries)
    size = os.path.getsize(path)
    print(f"ledger export of {rows:,} rows ({queries} queries), best of {REPEAT}, taking turns:")
    # On shared cores the wall time swings; this process's CPU time much less (the database
    # server's share on PostgreSQL is not in it).
    for label, spent in (("wall", wall), ("CPU ", cpu)):
        bare = rows / spent["bare xlsxwriter"]
        for name, value in spent.items():
            print(
                f"  {label} {name:16s} {rows / value:8,.0f} rows/s   {rows / value / bare:4.2f}× bare xlsxwriter"
            )
    print(f"  {size / 1024:.0f} KB; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    __import__("shutil").rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(int(args[1]))
    else:
        count = int(args[0]) if args and args[0].isdigit() else DEFAULT_SIZE
        parent(count, next((a for a in args if a in ("sqlite", "postgresql")), None))
    sys.exit(0)
