"""Foundation figures: field encryption cost and the ledger's export, on SQLite.

Prints figures and ratios; never fails on time. Data is generated once into bench/.cache.
Usage: .venv/bin/python bench/bench_foundation.py [number of cases, default 5000]
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

from intake_data import complaint, person  # bench/, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache" / "foundation"
os.environ.setdefault("XINFANG_DATA_DIR", str(CACHE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from xinfang.accounts.models import Role, Unit, UnitKind, User  # noqa: E402
from xinfang.cases import actions, exports, selectors  # noqa: E402
from xinfang.cases.models import Case  # noqa: E402
from xinfang.core import crypto  # noqa: E402
from xinfang.reference.models import ContentCategory  # noqa: E402


def timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def bench_crypto() -> None:
    value = "610927196805170032"
    n = 20000
    for cipher in ("aes-256-gcm", "sm4-gcm"):
        enc = timed(lambda c=cipher: [crypto.encrypt_text(value, "bench", c) for _ in range(n)])
        token = crypto.encrypt_text(value, "bench", cipher)
        dec = timed(lambda t=token: [crypto.decrypt_text(t, "bench") for _ in range(n)])
        print(f"{cipher:12s} encrypt {enc / n * 1e6:6.1f} µs/value   decrypt {dec / n * 1e6:6.1f} µs/value")


def ensure_cases(total: int) -> User:
    call_command("migrate", verbosity=0)
    unit, _ = Unit.objects.get_or_create(name="城关镇", defaults={"kind": UnitKind.TOWN})
    agent = User.objects.filter(username="bench").first() or User.objects.create_user(
        username="bench", password=None, role=Role.AGENT, unit=unit, full_name="王某某"
    )
    have = Case.objects.count()
    category = ContentCategory.objects.first()
    start = time.perf_counter()
    for i in range(have, total):
        actions.open_case(
            by=agent,
            token=uuid.uuid4(),
            petitioner=person(i),
            complaint=complaint(i, category),
        )
    if total > have:
        spent = time.perf_counter() - start
        print(
            f"open_case: {(total - have)} cases in {spent:.1f} s ({spent / (total - have) * 1000:.1f} ms each)"
        )
    return agent


def bench_ledger(agent: User) -> None:
    cases = selectors.ledger(agent, selectors.LedgerFilter())
    n = cases.count()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        first_page = timed(lambda: list(cases[:50]), repeat=5)
    print(
        f"ledger page of 50 of {n}: {first_page * 1000:.1f} ms, {len(queries.captured_queries) // 5} queries"
    )
    start = time.perf_counter()
    size = sum(len(chunk) for chunk in exports.ledger_xlsx(cases, show_unit=False))
    spent = time.perf_counter() - start
    tracemalloc.start()  # measured on a second run: tracing slows Python down several times
    sum(len(chunk) for chunk in exports.ledger_xlsx(cases, show_unit=False))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"ledger export of {n} rows: {spent:.2f} s ({n / spent:.0f} rows/s), {size / 1024:.0f} KB, "
        f"peak Python memory {peak / 1024 / 1024:.1f} MB"
    )


if __name__ == "__main__":
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(f"database: {connection.vendor}")
    bench_crypto()
    bench_ledger(ensure_cases(total))
