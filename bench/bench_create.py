"""Registering a case: ``actions.open_case`` against the same rows inserted through the bare ORM.

The yardstick writes what ``open_case`` writes for a new person (the petitioner, the counter,
the case, its first event), each case in its own transaction, through the models (encryption
and keyed hashes included), with no check, look-up or hook. The two take turns in rounds on a
fresh database, so that a busy machine slows them alike. Then the double-submit look-up's plan
on PostgreSQL, with no statistics yet (a fresh database) and after ANALYZE: it must use the
token's unique index. Prints figures and the ratio; never fails on time.

SQLite under bench/.cache/create (removed first), PostgreSQL in ``xinfang_bench_create`` (dropped
and created again).

Usage: .venv/bin/python bench/bench_create.py [cases per side, default 600] [sqlite|postgresql] [--profile]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from intake_data import complaint, person  # bench/, beside this script

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("XINFANG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CACHE = ROOT / "bench" / ".cache" / "create"
DBNAME = "xinfang_bench_create"
DEFAULT_COUNT = 600
ROUNDS = 6


def fresh_postgres() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}"')
            conn.execute(f'CREATE DATABASE "{DBNAME}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL skipped: no server answers at {PG_URL} ({str(exc).strip().splitlines()[0]})")
        return None
    return f"{PG_URL}/{DBNAME}"


def parent(count: int, only: str | None, profile: bool) -> None:
    shutil.rmtree(CACHE, ignore_errors=True)
    CACHE.mkdir(parents=True)
    base = {**os.environ, "XINFANG_DATA_DIR": str(CACHE), "DJANGO_SETTINGS_MODULE": "xinfang.settings"}
    base.pop("DATABASE_URL", None)
    runs = []
    if only in (None, "sqlite"):
        runs.append(("SQLite", base))
    if only in (None, "postgresql"):
        url = fresh_postgres()
        if url:
            runs.append(("PostgreSQL", {**base, "DATABASE_URL": url}))
    for label, env in runs:
        print(f"\n===== {label} =====", flush=True)
        args = [sys.executable, __file__, "--child", str(count)] + (["--profile"] if profile else [])
        subprocess.run(args, env=env, check=False)  # noqa: S603


# --- Child ---------------------------------------------------------------------------------------------


def by_open_case(agent, category, numbers: range) -> None:
    from xinfang.cases import actions

    for i in numbers:
        actions.open_case(
            by=agent, token=uuid.uuid4(), petitioner=person(i), complaint=complaint(i, category)
        )


def by_bare_orm(agent, category, numbers: range) -> None:
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from xinfang.cases.models import Case, CaseEvent, CaseNumberCounter, Petitioner

    unit, year = agent.unit, timezone.localdate().year
    for i in numbers:
        with transaction.atomic():
            made = Petitioner.objects.create(unit=unit, **person(i))
            CaseNumberCounter.objects.filter(unit=unit, year=year).update(last=F("last") + 1)
            seq = CaseNumberCounter.objects.get(unit=unit, year=year).last
            case = Case.objects.create(
                unit=unit,
                year=year,
                seq=seq,
                number=f"{unit.name}-{year}-{seq:04d}",
                intake_token=uuid.uuid4(),
                agent=agent,
                received_on=timezone.localdate(),
                petitioner=made,
                **complaint(i, category),
            )
            CaseEvent.objects.create(case=case, by=agent, action="open", to_status=case.status, data={})


def setup():
    from django.core.management import call_command
    from django.utils import timezone

    from xinfang.accounts.models import Role, Unit, UnitKind, User
    from xinfang.cases.models import CaseNumberCounter
    from xinfang.reference.models import ContentCategory

    call_command("migrate", verbosity=0)
    bare_unit = Unit.objects.create(name="比较镇", kind=UnitKind.TOWN)
    unit = Unit.objects.create(name="城关镇", kind=UnitKind.TOWN)
    agents = [
        User.objects.create_user(username=name, password=None, role=Role.AGENT, unit=u, full_name="王某某")
        for name, u in (("bench", unit), ("bare", bare_unit))
    ]
    CaseNumberCounter.objects.create(unit=bare_unit, year=timezone.localdate().year, last=0)
    category = ContentCategory.objects.first() or ContentCategory.objects.create(name="其他")
    return agents, category


def plan(when: str, *, analyze: bool = False) -> None:
    """The double-submit look-up's plan on PostgreSQL."""
    from django.db import connection

    from xinfang.cases import intake
    from xinfang.cases.models import Case

    if connection.vendor != "postgresql":
        return
    token = uuid.uuid4()
    # The shape it had: ``.first()`` sorted by the model's ordering (created_at, id).
    ordered = Case.objects.filter(intake_token=token).only("pk", "unit_id", "agent_id")[:1]
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for label, query in (("look-up", intake.earlier_post_query(token)), ("ordered (before)", ordered)):
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            shown = " / ".join(row[0].strip() for row in cursor.fetchall())
        print(f"double-submit {label}, {when}: {shown}")


def child(count: int, profile: bool) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    (agent, bare_agent), category = setup()
    print(f"database: {connection.vendor}", flush=True)
    plan("fresh database, no statistics")
    if profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            by_open_case(agent, category, range(count))
        pstats.Stats(prof).sort_stats("cumulative").print_stats("xinfang", 40)
        return
    wall = {"open_case": 0.0, "bare ORM": 0.0}
    cpu = dict(wall)
    step = max(1, count // ROUNDS)
    for start in range(0, count, step):
        numbers = range(start, min(count, start + step))
        for name, fn, who in (("open_case", by_open_case, agent), ("bare ORM", by_bare_orm, bare_agent)):
            began, began_cpu = time.perf_counter(), time.process_time()
            fn(who, category, numbers)
            wall[name] += time.perf_counter() - began
            cpu[name] += time.process_time() - began_cpu
    print(f"{count} cases each, in {ROUNDS} rounds taking turns")
    # Wall time holds the durable commits (and, on shared cores, the others' load); this
    # process's CPU time is the Python and driver work alone.
    for label, spent in (("wall", wall), ("CPU ", cpu)):
        product, bare = count / spent["open_case"], count / spent["bare ORM"]
        print(
            f"  {label} open_case {product:6,.0f} cases/s   bare ORM {bare:6,.0f} cases/s   "
            f"ratio {product / bare:.2f}"
        )
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    plan(f"{2 * count} cases, still no statistics")
    plan("after ANALYZE", analyze=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    number = next((int(a) for a in args if a.isdigit()), DEFAULT_COUNT)
    if args[:1] == ["--child"]:
        child(number, "--profile" in args)
    else:
        parent(number, next((a for a in args if a in ("sqlite", "postgresql")), None), "--profile" in args)
    sys.exit(0)
