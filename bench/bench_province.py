"""Province scale (Shaanxi ≈ 840 × Zhenping): the dashboard and the ledger export on SQLite and PostgreSQL.

Prints figures, ratios and the goals beside them; never fails on time, and exits 0.
Data (default 1,000,000 cases over 100 units and 3 years, with deadlines, ratings and events) is
generated once per database by bench/province_data.py and kept: SQLite under bench/.cache/province,
PostgreSQL in the database ``xinfang_bench`` on 127.0.0.1:5432 (skipped when no server answers).
Another size gets its own directory and database (``province-<size>``, ``xinfang_bench_<size>``).

Usage: .venv/bin/python bench/bench_province.py [number of cases, default 1000000] [sqlite|postgresql]

Each database is measured in a child process (Django's settings are fixed at setup), and each
ledger export in a grandchild, so that its peak RSS is the export's own.
"""

# ruff: noqa: S608 — hand-written SQL over fixed table names; values always go as parameters.

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("XINFANG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DEFAULT_SIZE = 1_000_000
EXPORT_ROWS = 100_000
GOAL_RATIO, GOAL_YEAR_PG, GOAL_MB = 2.0, 1.0, 150


def names(size: int) -> tuple[Path, str]:
    suffix = "" if size == DEFAULT_SIZE else f"-{size}"
    return ROOT / "bench" / ".cache" / f"province{suffix}", "xinfang_bench" + suffix.replace("-", "_")


# --- Parent: one child per database -------------------------------------------------------------------


def postgres_ready(dbname: str, keys: Path | None = None) -> str | None:
    """Create the benchmark database if missing; None when no PostgreSQL server answers.

    ``keys`` is the data folder whose data key encrypts the database: a database filled with
    another folder's key (another checkout, a removed cache) cannot be read, so it is made anew."""
    try:
        import psycopg
    except ImportError:
        return None
    marker = keys / f"{dbname}.filled-with-this-key" if keys is not None else None
    try:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
            if exists and marker is not None and not marker.exists():
                conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
                print(f"dropped PostgreSQL database {dbname}: filled with another data key")
                exists = None
            if exists is None:
                conn.execute(f'CREATE DATABASE "{dbname}"')
                print(f"created PostgreSQL database {dbname}")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL skipped: no server answers at {PG_URL} ({str(exc).strip().splitlines()[0]})")
        return None
    if marker is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return f"{PG_URL}/{dbname}"


def parent(size: int, only: str | None) -> None:
    cache, dbname = names(size)
    cache.mkdir(parents=True, exist_ok=True)
    base = {
        **os.environ,
        "XINFANG_DATA_DIR": str(cache),
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "PYTHONUNBUFFERED": "1",
    }
    base.pop("DATABASE_URL", None)
    runs = []
    if only in (None, "sqlite"):
        runs.append(("SQLite", base))
    if only in (None, "postgresql"):
        url = postgres_ready(dbname, keys=cache)
        if url:
            runs.append(("PostgreSQL", {**base, "DATABASE_URL": url}))
    for label, env in runs:
        print(f"\n===== {label} =====", flush=True)
        result = subprocess.run([sys.executable, __file__, "--child", str(size)], env=env, check=False)  # noqa: S603
        if result.returncode:
            print(f"({label} run stopped with exit code {result.returncode}; see above)")


# --- Child: set Django up on one database ---------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def raw_figures(period, units, today) -> dict[int, dict]:
    """The core figures by hand-written SQL over the same tables: one query on cases ⟕ ratings, one on
    deadlines ⋈ clocks ⋈ cases. Same definitions as selectors.unit_figures."""
    from django.db import connection

    from xinfang.figures import selectors

    ops = connection.ops
    ids = [u.pk for u in units]
    marks = ", ".join(["%s"] * len(ids))
    day = ops.adapt_datefield_value
    open_marks = ", ".join(["%s"] * len(selectors.OPEN_STATUSES))
    case_sql = f"""
        SELECT c.unit_id,
          SUM(CASE WHEN c.submitted_at >= %s AND c.submitted_at < %s THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.delivered_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.delivered_on BETWEEN %s AND %s AND r.id IS NOT NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.delivered_on BETWEEN %s AND %s AND r.body_satisfaction = 'satisfied' THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.delivered_on BETWEEN %s AND %s AND r.body_satisfaction = 'basically' THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.status IN ({open_marks}) THEN 1 ELSE 0 END)
        FROM cases_case c LEFT JOIN ratings_rating r ON r.case_id = c.id
        WHERE c.unit_id IN ({marks}) GROUP BY c.unit_id"""
    window = [day(period.start), day(period.end)]
    case_params = [
        ops.adapt_datetimefield_value(period.start_moment),
        ops.adapt_datetimefield_value(period.end_moment),
        *window * 4,
        *[str(s) for s in selectors.OPEN_STATUSES],
        *ids,
    ]

    def rate(code: str, steps, prefix: str) -> tuple[str, list]:
        sm = ", ".join(["%s"] * len(steps))
        due = "k.code = %s AND d.due_on BETWEEN %s AND %s"
        sql = (
            f"SUM(CASE WHEN {due} AND NOT (d.stopped_on IS NULL AND d.due_on >= %s) AND NOT (d.stopped_on "
            f"IS NOT NULL AND d.stopped_on <= d.due_on AND d.stopped_by NOT IN ({sm})) THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {due} AND d.stopped_by IN ({sm}) AND d.stopped_on <= d.due_on THEN 1 ELSE 0 END)"
        )
        return sql, [code, *window, day(today), *steps, code, *window, *steps]

    accept_sql, accept_params = rate(selectors.ACCEPT_CLOCK, selectors.ACCEPT_STEPS, "accept")
    conclude_sql, conclude_params = rate(selectors.CONCLUDE_CLOCK, selectors.CONCLUDE_STEPS, "conclude")
    as_of = day(period.as_of(today))
    deadline_sql = f"""
        SELECT c.unit_id, {accept_sql}, {conclude_sql},
          COUNT(DISTINCT CASE WHEN k.kind = 'deadline' AND d.due_on < %s AND d.started_on <= %s
                AND (d.stopped_on IS NULL OR d.stopped_on > %s) THEN d.case_id END)
        FROM deadlines_casedeadline d JOIN deadlines_clock k ON k.id = d.clock_id
          JOIN cases_case c ON c.id = d.case_id
        WHERE c.unit_id IN ({marks}) GROUP BY c.unit_id"""
    deadline_params = [*accept_params, *conclude_params, as_of, as_of, as_of, *ids]
    result: dict[int, dict] = {uid: {} for uid in ids}
    with connection.cursor() as cursor:
        cursor.execute(case_sql, case_params)
        for uid, proxied, delivered, rated, satisfied, basically, open_ in cursor.fetchall():
            result[uid].update(
                proxied=proxied,
                delivered=delivered,
                rated=rated,
                satisfied=satisfied,
                basically=basically,
                open=open_,
            )
        cursor.execute(deadline_sql, deadline_params)
        for uid, accept_due, accept_met, conclude_due, conclude_met, overdue in cursor.fetchall():
            result[uid].update(
                accept_due=accept_due,
                accept_met=accept_met,
                conclude_due=conclude_due,
                conclude_met=conclude_met,
                overdue=overdue,
            )
    return result


def raw_scoped(period, units, today) -> dict[int, dict]:
    """The same figures by hand-written SQL, each count restricted by its own indexed column (submitted_at,
    delivered_on, status, due_on) instead of one pass over every case of the units, deadlines counted by
    the unit they carry. Five queries."""
    from django.db import connection

    from xinfang.figures import selectors

    ops = connection.ops
    day = ops.adapt_datefield_value
    ids = [u.pk for u in units]
    marks = ", ".join(["%s"] * len(ids))
    start, end, as_of = day(period.start), day(period.end), day(period.as_of(today))
    result: dict[int, dict] = {
        uid: dict.fromkeys(
            (
                "proxied",
                "delivered",
                "rated",
                "satisfied",
                "basically",
                "open",
                "accept_due",
                "accept_met",
                "conclude_due",
                "conclude_met",
                "overdue",
            ),
            0,
        )
        for uid in ids
    }

    def fill(sql, params, keys):
        cursor.execute(sql, [*params, *ids])
        for uid, *values in cursor.fetchall():
            result[uid].update(zip(keys, (v or 0 for v in values), strict=True))

    def rate(code: str, steps) -> tuple[str, list]:
        sm = ", ".join(["%s"] * len(steps))
        sql = (
            f"SUM(CASE WHEN k.code = %s AND NOT (d.stopped_on IS NULL AND d.due_on >= %s) AND NOT "
            f"(d.stopped_on IS NOT NULL AND d.stopped_on <= d.due_on AND d.stopped_by NOT IN ({sm})) "
            f"THEN 1 ELSE 0 END), SUM(CASE WHEN k.code = %s AND d.stopped_by IN ({sm}) AND d.stopped_on "
            f"<= d.due_on THEN 1 ELSE 0 END)"
        )
        return sql, [code, day(today), *steps, code, *steps]

    accept_sql, accept_params = rate(selectors.ACCEPT_CLOCK, selectors.ACCEPT_STEPS)
    conclude_sql, conclude_params = rate(selectors.CONCLUDE_CLOCK, selectors.CONCLUDE_STEPS)
    open_marks = ", ".join(["%s"] * len(selectors.OPEN_STATUSES))
    with connection.cursor() as cursor:
        fill(
            f"SELECT unit_id, COUNT(*) FROM cases_case WHERE submitted_at >= %s AND submitted_at < %s "
            f"AND unit_id IN ({marks}) GROUP BY unit_id",
            [
                ops.adapt_datetimefield_value(period.start_moment),
                ops.adapt_datetimefield_value(period.end_moment),
            ],
            ["proxied"],
        )
        fill(
            f"SELECT c.unit_id, COUNT(*), COUNT(r.id), SUM(CASE WHEN r.body_satisfaction = 'satisfied' THEN 1 "
            f"ELSE 0 END), SUM(CASE WHEN r.body_satisfaction = 'basically' THEN 1 ELSE 0 END) FROM cases_case c "
            f"LEFT JOIN ratings_rating r ON r.case_id = c.id WHERE c.delivered_on BETWEEN %s AND %s "
            f"AND c.unit_id IN ({marks}) GROUP BY c.unit_id",
            [start, end],
            ["delivered", "rated", "satisfied", "basically"],
        )
        fill(
            f"SELECT unit_id, COUNT(*) FROM cases_case WHERE status IN ({open_marks}) AND unit_id IN ({marks}) "
            f"GROUP BY unit_id",
            [str(s) for s in selectors.OPEN_STATUSES],
            ["open"],
        )
        fill(
            f"SELECT d.unit_id, {accept_sql}, {conclude_sql} FROM deadlines_casedeadline d "
            f"JOIN deadlines_clock k ON k.id = d.clock_id "
            f"WHERE d.due_on BETWEEN %s AND %s AND d.unit_id IN ({marks}) GROUP BY d.unit_id",
            [*accept_params, *conclude_params, start, end],
            ["accept_due", "accept_met", "conclude_due", "conclude_met"],
        )
        fill(
            f"SELECT d.unit_id, COUNT(DISTINCT d.case_id) FROM deadlines_casedeadline d "
            f"JOIN deadlines_clock k ON k.id = d.clock_id "
            f"WHERE k.kind = 'deadline' AND d.due_on < %s AND d.started_on <= %s "
            f"AND (d.stopped_on IS NULL OR d.stopped_on > %s) AND d.unit_id IN ({marks}) "
            f"GROUP BY d.unit_id",
            [as_of, as_of, as_of],
            ["overdue"],
        )
    return result


def as_raw(rows) -> dict[int, dict]:
    """The selector's rows in raw_figures' shape, to check the two agree."""
    return {
        r.unit.pk: {
            "proxied": r.proxied,
            "delivered": r.participation.denominator,
            "rated": r.participation.numerator,
            "satisfied": r.satisfied.numerator,
            "basically": r.satisfaction.numerator - r.satisfied.numerator,
            "open": r.open,
            "accept_due": r.timely_acceptance.denominator,
            "accept_met": r.timely_acceptance.numerator,
            "conclude_due": r.timely_conclusion.denominator,
            "conclude_met": r.timely_conclusion.numerator,
            "overdue": r.overdue,
        }
        for r in rows
    }


def child(size: int) -> None:
    setup_django()
    import province_dashboard
    import province_data
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from xinfang.accounts.models import User
    from xinfang.cases.models import Case
    from xinfang.figures import selectors
    from xinfang.figures.periods import Period, add_months

    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    info = province_data.marker()
    if info is None:
        print(f"generating {size:,} cases (once; kept for later runs)", flush=True)
        info = province_data.generate(size, log=lambda s: print(s, flush=True))
    else:
        print(
            f"data: {info['size']:,} cases, generated earlier in {info['seconds']:.0f} s "
            f"(encrypted columns hold tokens from a pool of {province_data.POOL:,} values each)"
        )
        province_data.settle(log=lambda s: print(s, flush=True))
    counts = {m.__name__: m.objects.count() for m in (Case,)}
    print(f"rows: {counts['Case']:,} cases", flush=True)

    end = info["end"]
    month_start = add_months(end.replace(day=1), -1)
    periods = [
        (
            "month",
            Period.month(month_start.year, month_start.month),
            {"kind": "month", "month": f"{month_start:%Y-%m}"},
        ),
        ("year", Period.year(end.year - 1), {"kind": "year", "year": str(end.year - 1)}),
    ]
    units = selectors.units_or_404(User.objects.get(username="pbench-bureau"))
    today = timezone.localdate()
    table = []
    for label, period, _ in periods:

        def figures(p=period):
            rows = selectors.unit_figures(p, units, today=today)
            return selectors.county_totals(rows), rows

        with CaptureQueriesContext(connection) as captured:
            selectors.unit_figures(period, units, today=today)
        queries = len(captured.captured_queries)
        sel_total, (_, rows) = best_of(figures)
        raw_time, raw = best_of(lambda p=period: raw_figures(p, units, today))
        scoped_time, scoped = best_of(lambda p=period: raw_scoped(p, units, today))
        mine = as_raw(rows)
        same = mine == raw and mine == scoped
        table.append((label, period.label, sel_total, raw_time, scoped_time, queries, same))
        print(
            f"  {period.label}: selector {sel_total:.3f} s ({queries} queries), raw SQL {raw_time:.3f} s, "
            f"scoped SQL {scoped_time:.3f} s, same figures: {same}",
            flush=True,
        )

    # The page over HTTP, logged in as bureau staff, for 10 units and for all of them.
    pages = province_dashboard.measure(units, end)

    # The ledger export, in grandchildren: 10,000 rows then EXPORT_ROWS, to see whether memory grows.
    exports = []
    for rows in (10_000, EXPORT_ROWS):
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--export", str(rows)],
            env=os.environ,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            exports.append(json.loads(out.stdout.strip().splitlines()[-1]))
        except (IndexError, json.JSONDecodeError):
            print(f"  export of {rows} rows failed:\n{out.stdout}\n{out.stderr}")
    report(vendor, info, len(units), table, pages, exports)


def report(vendor, info, n_units, table, pages, exports) -> None:
    pg = vendor == "postgresql"
    print(
        f"\n--- {vendor}: {info['size']:,} cases, {n_units} units "
        f"(generated once in {info['seconds']:.0f} s) ---"
    )
    print(
        f"{'dashboard figures (all units)':34s} {'selector':>9s} {'SQL one':>9s} {'SQL five':>9s} {'ratio':>6s}"
        f" {'queries':>8s}  same  goal"
    )
    for label, name, sel, raw, scoped, queries, same in table:
        goal = f"≤{GOAL_RATIO:g}×" + (f", ≤{GOAL_YEAR_PG:g} s" if pg and label == "year" else "")
        best = min(raw, scoped)
        flags = []
        if sel / best > GOAL_RATIO:
            flags.append("ratio above goal")
        if pg and label == "year" and sel > GOAL_YEAR_PG:
            flags.append("time above goal")
        print(
            f"  {label + ' ' + name:32s} {sel:8.3f}s {raw:8.3f}s {scoped:8.3f}s {sel / best:5.2f}× {queries:8d}  "
            f"{'yes' if same else 'NO':4s}  {goal}{'  ← ' + ', '.join(flags) if flags else ''}"
        )
    print(
        "  SQL one: hand-written, one pass over the units' cases (ratings joined) and one over their deadlines."
    )
    print("  SQL five: hand-written, five queries, each restricted by its indexed column (submitted_at,")
    print(
        "    delivered_on, status, due_on; deadlines by the unit they carry). ratio = selector ÷ the faster of the two."
    )
    import province_dashboard

    province_dashboard.report(vendor, pages)
    print("ledger export (ledger_xlsx, bureau user, newest first)")
    for e in exports:
        flag = "  ← above goal" if e["peak_mb"] > GOAL_MB else ""
        print(
            f"  {e['rows']:>7,} rows: {e['seconds']:6.1f} s, {e['rows'] / e['seconds']:6,.0f} rows/s, "
            f"{e['bytes'] / 2**20:5.1f} MB file, peak RSS {e['peak_mb']:5.0f} MB (before export "
            f"{e['base_mb']:.0f} MB)  goal ≤{GOAL_MB} MB{flag}"
        )
    if len(exports) == 2:
        grow = exports[1]["peak_mb"] - exports[0]["peak_mb"]
        print(
            f"  peak RSS grows {grow:+.0f} MB from {exports[0]['rows']:,} to {exports[1]['rows']:,} rows "
            f"(goal: constant)"
        )


# --- Grandchild: one export, its peak memory -------------------------------------------------------------


def peak_rss_mb() -> float:
    """VmHWM, the peak resident set of this process image (reset by exec, unlike ru_maxrss on Linux,
    which keeps the parent's peak across fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(rows: int) -> None:
    setup_django()
    from xinfang.accounts.models import User
    from xinfang.cases import exports, selectors

    bureau = User.objects.get(username="pbench-bureau")
    cases = selectors.ledger(bureau, selectors.LedgerFilter())[:rows]
    base = peak_rss_mb()
    start = time.perf_counter()
    size = sum(len(chunk) for chunk in exports.ledger_xlsx(cases, show_unit=True))
    spent = time.perf_counter() - start
    peak = peak_rss_mb()
    print(json.dumps({"rows": rows, "seconds": spent, "bytes": size, "peak_mb": peak, "base_mb": base}))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(int(args[1]))
    elif args[:1] == ["--export"]:
        export(int(args[1]))
    else:
        size = int(args[0]) if args and args[0].isdigit() else DEFAULT_SIZE
        only = next((a for a in args if a in ("sqlite", "postgresql")), None)
        parent(size, only)
    sys.exit(0)
