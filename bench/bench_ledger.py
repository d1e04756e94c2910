"""The ledger's .xlsx export with the columns a 督察 asks for: rows per second and queries.

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
        url = postgres_ready(f"xinfang_bench_ledger_{size}")
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
    from django.test.utils import CaptureQueriesContext

    from xinfang.accounts.models import User
    from xinfang.cases import exports, selectors

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    if province_data.marker() is None:
        print(f"generating {size:,} cases (once; kept for later runs)", flush=True)
        province_data.generate(size, log=lambda s: print(s, flush=True))
    enrich(lambda s: print(s, flush=True))
    province_data.settle(lambda s: print(s, flush=True))
    bureau = User.objects.get(username="pbench-bureau")
    cases = selectors.ledger(bureau, selectors.LedgerFilter())
    rows = cases.count()
    best, cpu, size_bytes, queries = float("inf"), float("inf"), 0, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            start, started_cpu = time.perf_counter(), time.process_time()
            size_bytes = sum(len(chunk) for chunk in exports.ledger_xlsx(cases, show_unit=True))
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - started_cpu)
        queries = len(captured.captured_queries)
    # On shared cores the wall time swings; this process's CPU time much less (the database
    # server's share on PostgreSQL is not in it).
    print(
        f"ledger export of {rows:,} rows: best of {REPEAT} {best:.2f} s ({rows / best:,.0f} rows/s), "
        f"CPU {cpu:.2f} s ({rows / cpu:,.0f} rows/s), {queries} queries, {size_bytes / 1024:.0f} KB"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(int(args[1]))
    else:
        count = int(args[0]) if args and args[0].isdigit() else DEFAULT_SIZE
        parent(count, next((a for a in args if a in ("sqlite", "postgresql")), None))
    sys.exit(0)
