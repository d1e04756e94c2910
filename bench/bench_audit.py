"""Audit log figures: the cost of one ``record()`` call, and ``verify`` over a long chain.

Prints figures; never fails on time. The long chain (1,000,000 rows by default) is generated
once per database: in bench/.cache/audit for SQLite, in the database of DATABASE_URL for
PostgreSQL (use one of its own, e.g. postgres://postgres@127.0.0.1:5432/xinfang_bench_audit).
Usage: .venv/bin/python bench/bench_audit.py [rows, default 1000000]
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XINFANG_DATA_DIR", str(ROOT / "bench" / ".cache" / "audit"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
os.environ.setdefault("XINFANG_DEBUG", "0")  # no query log: it would cost time and memory
Path(os.environ["XINFANG_DATA_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from xinfang.audit import chain, integrity  # noqa: E402
from xinfang.audit.actions import record  # noqa: E402
from xinfang.audit.models import AuditAction, AuditEntry  # noqa: E402

ACTIONS = [AuditAction.LOGIN, AuditAction.REVEAL, AuditAction.EXPORT, AuditAction.PRINT, AuditAction.DOWNLOAD]
DETAILS = [
    {},
    {"field": "mobile"},
    {"masked": True, "filters": {"status": "submitted", "unit": 3}},
    {"hits": 2},
]
COLUMNS = chain.FIELDS[:-1]  # all but prev_hash


def bench_record(n: int = 2000) -> None:
    request = RequestFactory().get("/cases/12/", REMOTE_ADDR="10.0.0.7")
    request.user = AnonymousUser()

    def one() -> None:
        record(AuditAction.REVEAL, request=request, target_type="cases.Case", target_id=12, field="mobile")

    for label, outer in (("own transaction", False), ("inside a transaction", True)):
        for _ in range(50):
            one()
        began = time.perf_counter()
        if outer:
            with transaction.atomic():
                for _ in range(n):
                    one()
        else:
            for _ in range(n):
                one()
        cost = (time.perf_counter() - began) / n
        statements: list[str] = []

        def note(execute, sql, *args, seen=statements):
            seen.append(sql.split(" FROM ")[0].split(" (")[0])
            return execute(sql, *args)

        if outer:
            with transaction.atomic(), connection.execute_wrapper(note):
                one()
        else:
            with connection.execute_wrapper(note):
                one()
        print(f"record() {label:22s} {cost * 1e6:7.0f} µs/call; statements: {' | '.join(statements)}")


def ensure_chain(total: int) -> None:
    """Append synthetic rows, correctly chained, until the log has ``total`` rows."""
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first() or (0, chain.GENESIS)
    seq, prev = head
    if seq >= total:
        return
    print(f"generating {total - seq} audit rows…", flush=True)
    at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    table = AuditEntry._meta.db_table
    placeholders = ", ".join(["%s"] * (len(COLUMNS) + 2))
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}, prev_hash, hash) VALUES ({placeholders})"  # noqa: S608
    detail_field = AuditEntry._meta.get_field("detail")
    while seq < total:
        batch = []
        for _ in range(min(20000, total - seq)):
            seq += 1
            at += datetime.timedelta(seconds=7, microseconds=seq % 997)
            detail = DETAILS[seq % len(DETAILS)]
            fields = [
                seq,
                at,
                seq % 97 or None,
                f"user{seq % 97}",
                ACTIONS[seq % 5],
                "cases.Case",
                str(seq % 5000),
            ]
            fields += [f"10.0.{seq % 200}.{seq % 250}", f"/cases/{seq % 5000}/", detail]
            digest = chain.digest(*fields, prev)
            fields[-1] = detail_field.get_db_prep_save(detail, connection)
            fields[1] = AuditEntry._meta.get_field("at").get_db_prep_save(at, connection)
            batch.append([*fields, prev, digest])
            prev = digest
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)


def bench_verify(total: int) -> None:
    ensure_chain(total)
    rows = AuditEntry.objects.count()
    for _ in range(3):
        cpu = time.process_time()
        report = integrity.verify()
        cpu = time.process_time() - cpu
        print(
            f"verify {rows} rows: {report.seconds:6.1f} s ({report.seconds / rows * 1e6:.1f} µs/row), "
            f"{cpu:.1f} s of this process's CPU; {'whole' if report.ok else report.summary()}"
        )


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    bench_record()
    bench_verify(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
