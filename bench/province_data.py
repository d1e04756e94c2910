"""Province-scale data for bench_province.py, written in bulk (not through the actions).

Generated once per database and kept: a marker row in ``bench_province_marker`` says the data
is complete. Rows are built in Python in chronological order and written with executemany on
SQLite, COPY on PostgreSQL, in chunks of CHUNK cases with their petitioners' rows, deadlines,
ratings and events.

Encrypted columns hold real tokens, but from a pool: POOL distinct values per column are
encrypted once and their tokens reused (same nonce for equal values), which only a benchmark
may do. Keyed hashes match the pooled values.
"""

# ruff: noqa: S608 — hand-written SQL over fixed table names; values always go as parameters.

from __future__ import annotations

import datetime
import random
import time
import uuid

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from xinfang.accounts.models import Role, Unit, UnitKind, User
from xinfang.cases.models import Case, CaseEvent, CaseNumberCounter, Petitioner
from xinfang.core import crypto, keys
from xinfang.deadlines.models import CaseDeadline, Clock
from xinfang.ratings.models import Rating
from xinfang.reference.models import ContentCategory, SubmissionPlatform

UNITS = 100
PETITIONERS = 200_000
POOL = 10_000
CHUNK = 20_000
YEARS = 3
MARKER = "bench_province_marker"
UTC = datetime.UTC


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def marker() -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (size integer, seconds real, end_day varchar(10))"
        )
        cursor.execute(f"SELECT size, seconds, end_day FROM {MARKER}")
        row = cursor.fetchone()
    if row is None:
        return None
    return {"size": row[0], "seconds": row[1], "end": datetime.date.fromisoformat(row[2])}


def _set_marker(size: int, seconds: float, end: datetime.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MARKER} (size, seconds, end_day) VALUES (%s, %s, %s)",
            [size, seconds, end.isoformat()],
        )


def _wipe() -> None:
    """A run that stopped half-way leaves rows without a marker: start again from empty tables."""
    tables = [
        m._meta.db_table for m in (Rating, CaseEvent, CaseDeadline, Case, CaseNumberCounter, Petitioner)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    User.objects.filter(username__startswith="pbench").delete()
    Unit.objects.filter(name__startswith="省测").delete()


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    table = model._meta.db_table
    columns = [connection.ops.quote_name(c) for c in columns]
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        connection.connection.executemany(sql, rows)


def settle(log) -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map that index-only scans need:
    autovacuum keeps both on a live server, a bulk load or a migration leaves them to be made.
    Quick when nothing changed. Run after generating and before each measurement."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    log(
        f"  {'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'} "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _check_columns(model, columns: list[str]) -> None:
    expected = {f.column for f in model._meta.concrete_fields}
    assert set(columns) == expected, (model.__name__, expected ^ set(columns))


class Pool:
    """POOL encrypted tokens per column, and the keyed hashes of the same values."""

    def __init__(self, model, field: str, values: list[str]):
        context = f"{model._meta.app_label}.{model.__name__}.{field}"
        self.plain = values
        self.tokens = [crypto.encrypt_text(v, context) for v in values]

    def hashes(self, purpose: str) -> list[str]:
        return [crypto.lookup_hash(purpose, v) for v in self.plain]


CASE_COLUMNS = [
    "id",
    "unit_id",
    "number",
    "year",
    "seq",
    "intake_token",
    "status",
    "agent_id",
    "received_on",
    "petitioner_id",
    "respondent_kind",
    "respondent_name",
    "petition_type",
    "category_id",
    "incident_town_id",
    "incident_place",
    "allow_public",
    "court_accepted",
    "reconsideration_done",
    "arbitration_accepted",
    "has_review_opinion",
    "title",
    "content",
    "referral_channel",
    "scope_note",
    "scope_decided_at",
    "authorization_mode",
    "authorized_on",
    "platform_id",
    "platform_username",
    "platform_password",
    "query_code",
    "query_code_hash",
    "submitted_at",
    "handling_body",
    "forward_mode",
    "forwarded_on",
    "body_received_on",
    "accepted_on",
    "concluded_on",
    "handling_opinion",
    "delivered_on",
    "closed_on",
    "created_at",
    "updated_at",
    # Columns added by later versions: one person, no review opinion delivered, nothing late.
    "people_count",
    "review_delivered_on",
    "late_steps",
    "source",
]
PETITIONER_COLUMNS = [
    "id",
    "unit_id",
    "name",
    "name_hash",
    "id_number",
    "id_number_hash",
    "mobile",
    "mobile_hash",
    "landline",
    "address",
    "work_unit",
    "created_at",
    "updated_at",
    "version",
    "id_kind",
]
DEADLINE_COLUMNS = [
    "id",
    "case_id",
    "unit_id",
    "clock_id",
    "length",
    "day_count",
    "started_on",
    "extension_days",
    "due_on",
    "provisional",
    "provisional_reason",
    "stopped_on",
    "stopped_by",
    "created_at",
    "started_by",
    "pauses",
]
RATING_COLUMNS = [
    "id",
    "case_id",
    "channel",
    "office_satisfaction",
    "body_satisfaction",
    "comment",
    "instruction_means",
    "instructed_at",
    "entered_by_id",
    "rated_on",
    "created_at",
]
EVENT_COLUMNS = ["id", "case_id", "at", "by_id", "on", "action", "from_status", "to_status", "data"]

# The handling path after 网上提交: (step, status reached, days after the previous step).
STATUS_OF = {
    "submit": "submitted",
    "forward": "forwarded",
    "receive": "received",
    "accept": "accepted",
    "not_accept": "not_accepted",
    "conclude": "concluded",
    "deliver": "delivered",
    "request_review": "review_requested",
    "review": "reviewed",
    "withdraw": "withdrawn",
}


def generate(size: int, log=print) -> dict:
    """Write ``size`` cases over UNITS units and YEARS years ending today, with what hangs on them."""
    found = marker()
    if found is not None:
        return found
    if Case.objects.exists() or Unit.objects.filter(name__startswith="省测").exists():
        log("  incomplete data from an earlier run: wiping it")
        _wipe()
    for model, columns in (
        (Case, CASE_COLUMNS),
        (Petitioner, PETITIONER_COLUMNS),
        (CaseDeadline, DEADLINE_COLUMNS),
        (Rating, RATING_COLUMNS),
        (CaseEvent, EVENT_COLUMNS),
    ):
        _check_columns(model, columns)
    started = time.perf_counter()
    rng = random.Random(20261129)  # noqa: S311
    end = timezone.localdate()
    first = end - datetime.timedelta(days=365 * YEARS)
    span = (end - first).days
    postgres = connection.vendor == "postgresql"
    if not postgres:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")

    def stamp(day: datetime.date, hour: int = 9, minute: int = 0) -> str:
        # Local (UTC+8) time of day → UTC text, as Django stores it on each backend.
        moment = datetime.datetime(day.year, day.month, day.day, hour, minute) - datetime.timedelta(hours=8)
        return moment.strftime("%Y-%m-%d %H:%M:%S") + ("+00" if postgres else "")

    units = Unit.objects.bulk_create(
        [Unit(name=f"省测{i:03d}镇", kind=UnitKind.TOWN, sort_order=i) for i in range(UNITS)]
    )
    agents = User.objects.bulk_create(
        [
            User(
                username=f"pbench{i:03d}",
                password=make_password(None),
                role=Role.AGENT,
                unit=u,
                full_name=f"代理员{i:03d}",
            )
            for i, u in enumerate(units)
        ]
    )
    User.objects.create_user(username="pbench-bureau", password=None, role=Role.BUREAU, full_name="县局")
    categories = list(ContentCategory.objects.values_list("pk", flat=True))
    platforms = list(SubmissionPlatform.objects.values_list("pk", flat=True))
    clocks = dict(Clock.objects.filter(code__in=["accept_notice", "conclude"]).values_list("code", "pk"))
    keys.verify_data_key()  # the tokens below are written without the model fields' check
    log(f"  pools: encrypting {POOL:,} distinct values per encrypted column; tokens are reused")
    t = time.perf_counter()
    ids = Pool(
        Petitioner,
        "id_number",
        [f"610927{1940 + i % 60}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}X" for i in range(POOL)],
    )
    mobiles = Pool(Petitioner, "mobile", [f"139{i:08d}" for i in range(POOL)])
    names = Pool(Petitioner, "name", [f"信访人{i}" for i in range(POOL)])
    addresses = Pool(Petitioner, "address", [f"某县某镇某村{i}组" for i in range(POOL)])
    contents = Pool(Case, "content", [f"诉求内容{i}：" + "情况说明" * 40 for i in range(POOL)])
    usernames = Pool(Case, "platform_username", [f"user{i:06d}" for i in range(POOL)])
    passwords = Pool(Case, "platform_password", [f"pw{i:08d}" for i in range(POOL)])
    codes = Pool(Case, "query_code", [f"Q{i:011d}" for i in range(POOL)])
    id_hashes, mobile_hashes, code_hashes, name_hashes = (
        ids.hashes("id_number"),
        mobiles.hashes("mobile"),
        codes.hashes("query_code"),
        names.hashes("name"),
    )
    log(f"  pools ready in {time.perf_counter() - t:.1f} s")

    # Petitioners: PETITIONERS // UNITS per unit, the k-th of a unit taking pooled value k (unique per unit).
    per_unit = PETITIONERS // UNITS
    t = time.perf_counter()
    created = stamp(first)
    rows = []
    for k in range(per_unit):
        for u, unit in enumerate(units):
            pid = k * UNITS + u + 1
            v = k % POOL
            rows.append(
                (
                    pid,
                    unit.pk,
                    names.tokens[v],
                    name_hashes[v],
                    ids.tokens[v],
                    id_hashes[v],
                    mobiles.tokens[v],
                    mobile_hashes[v],
                    "",
                    addresses.tokens[v],
                    "",
                    created,
                    created,
                    1,
                    "resident",
                )
            )
    with transaction.atomic():
        for i in range(0, len(rows), CHUNK * 5):
            _insert(Petitioner, PETITIONER_COLUMNS, rows[i : i + CHUNK * 5])
    log(f"  {len(rows):,} petitioners in {time.perf_counter() - t:.1f} s")
    del rows

    counts = {"cases": 0, "deadlines": 0, "ratings": 0, "events": 0}
    seqs: dict[tuple[int, int], int] = {}
    deadline_id = rating_id = event_id = 0
    t = time.perf_counter()
    days = datetime.timedelta
    for chunk_start in range(0, size, CHUNK):
        cases, deadlines, ratings, events = [], [], [], []
        for case_id in range(chunk_start + 1, min(size, chunk_start + CHUNK) + 1):
            # Chronological: the n-th case is received on day n × span ÷ size.
            received = first + days(days=(case_id - 1) * span // size)
            u = rng.randrange(UNITS)
            unit, agent = units[u], agents[u]
            seq = seqs[(u, received.year)] = seqs.get((u, received.year), 0) + 1
            v = case_id % POOL
            steps: list[tuple[str, datetime.date]] = []
            roll = rng.random()
            status, authorized = "submitted", None
            if roll < 0.01:
                status = "intake"
            elif roll < 0.015:
                status = "in_scope"
            elif roll < 0.035:
                status = "referred"
            else:
                authorized = received
                day = received + days(days=rng.randint(0, 2))
                steps.append(("submit", day))
                day += days(days=rng.randint(1, 5))
                steps.append(("forward", day))
                day += days(days=rng.randint(1, 3))
                steps.append(("receive", day))
                if rng.random() < 0.05:
                    steps.append(("not_accept", day + days(days=rng.randint(5, 13))))
                else:
                    day += days(days=rng.randint(16, 25) if rng.random() < 0.1 else rng.randint(2, 10))
                    steps.append(("accept", day))
                    r = rng.random()
                    if r > 0.01:  # 1%: never concluded, the clock runs on
                        day += days(days=rng.randint(61, 80) if r < 0.09 else rng.randint(30, 55))
                        steps.append(("conclude", day))
                        day += days(days=rng.randint(1, 5))
                        steps.append(("deliver", day))
                        if rng.random() < 0.03:
                            day += days(days=rng.randint(5, 25))
                            steps.append(("request_review", day))
                            steps.append(("review", day + days(days=rng.randint(12, 28))))
                if rng.random() < 0.02:  # 撤回委托 at some step
                    cut = rng.randint(1, len(steps))
                    steps = steps[:cut] + [("withdraw", steps[cut - 1][1] + days(days=rng.randint(1, 10)))]
                if steps[0][1] > end:
                    status, steps = "authorized", []
                steps = [(s, d) for s, d in steps if d <= end]
                if steps:
                    status = STATUS_OF[steps[-1][0]]
            on = dict(steps)
            submitted = on.get("submit")
            withdrawn = on.get("withdraw")
            closed = on.get("review") or on.get("not_accept") or withdrawn
            cases.append(
                (
                    case_id,
                    unit.pk,
                    f"{unit.name}-{received.year}-{seq:04d}",
                    received.year,
                    seq,
                    uuid.UUID(int=case_id).hex,
                    status,
                    agent.pk,
                    received.isoformat(),
                    1 + (case_id % per_unit) * UNITS + u,
                    "administrative",
                    "某局",
                    "claim",
                    categories[case_id % len(categories)],
                    None,
                    "",
                    0,
                    0,
                    0,
                    0,
                    0,
                    f"事项{case_id}",
                    contents.tokens[v],
                    "litigation" if status == "referred" else "",
                    "",
                    None,
                    "signed" if authorized else "",
                    authorized and authorized.isoformat(),
                    platforms[case_id % len(platforms)] if submitted else None,
                    usernames.tokens[v] if submitted else "",
                    passwords.tokens[v] if submitted else "",
                    codes.tokens[v] if submitted else "",
                    code_hashes[v] if submitted else "",
                    submitted and stamp(submitted, 8 + case_id % 10, case_id % 60),
                    "某县某局" if "forward" in on else "",
                    "forward" if "forward" in on else "",
                    iso(on.get("forward")),
                    iso(on.get("receive")),
                    iso(on.get("accept")),
                    iso(on.get("conclude")),
                    "explain" if "conclude" in on else "",
                    iso(on.get("deliver")),
                    iso(closed),
                    stamp(received),
                    stamp(steps[-1][1] if steps else received),
                    1,
                    None,
                    "[]",
                    "registered",
                )
            )
            # Events: open, submit and the last step (at most three per case).
            event_steps = [("open", received, "", "intake")]
            if submitted:
                event_steps.append(("submit", submitted, "authorized", "submitted"))
            elif status != "intake":
                event_steps.append(("scope", received, "intake", status))
            if len(steps) > 1:
                last, last_on = steps[-1]
                event_steps.append((last, last_on, STATUS_OF[steps[-2][0]], status))
            for action, day, before, after in event_steps:
                event_id += 1
                events.append(
                    (event_id, case_id, stamp(day, 17), agent.pk, iso(day), action, before, after, "{}")
                )
            # Clocks: 受理告知 from receipt (15 日), 办结 from acceptance (60 日).
            for code, start_step, stop_steps, length in (
                ("accept_notice", "receive", ("accept", "not_accept"), 15),
                ("conclude", "accept", ("conclude",), 60),
            ):
                if start_step not in on:
                    continue
                begun = on[start_step]
                stop = next(((s, on[s]) for s in stop_steps if s in on), None)
                if stop is None and withdrawn:
                    stop = ("withdraw", withdrawn)
                deadline_id += 1
                deadlines.append(
                    (
                        deadline_id,
                        case_id,
                        unit.pk,
                        clocks[code],
                        length,
                        "calendar",
                        iso(begun),
                        0,
                        iso(begun + days(days=length)),
                        0,
                        "",
                        iso(stop and stop[1]),
                        stop[0] if stop else "",
                        stamp(begun),
                        start_step,
                        "[]",
                    )
                )
            delivered = on.get("deliver")
            if delivered and rng.random() < 0.5:
                rating_id += 1
                r = rng.random()
                body = "satisfied" if r < 0.7 else "basically" if r < 0.9 else "unsatisfied"
                rated = min(end, delivered + days(days=rng.randint(0, 10)))
                ratings.append(
                    (
                        rating_id,
                        case_id,
                        "platform",
                        "satisfied",
                        body,
                        "",
                        "",
                        None,
                        agent.pk,
                        iso(rated),
                        stamp(rated),
                    )
                )
        with transaction.atomic():
            _insert(Case, CASE_COLUMNS, cases)
            _insert(CaseDeadline, DEADLINE_COLUMNS, deadlines)
            _insert(Rating, RATING_COLUMNS, ratings)
            _insert(CaseEvent, EVENT_COLUMNS, events)
        counts["cases"] += len(cases)
        counts["deadlines"] += len(deadlines)
        counts["ratings"] += len(ratings)
        counts["events"] += len(events)
        spent = time.perf_counter() - t
        if (chunk_start // CHUNK) % 5 == 4 or counts["cases"] == size:
            log(
                f"  {counts['cases']:>9,} cases, {counts['deadlines']:,} deadlines, {counts['ratings']:,} ratings, "
                f"{counts['events']:,} events — {spent:.0f} s, {counts['cases'] / spent:,.0f} cases/s"
            )
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(unit=units[u], year=year, last=last) for (u, year), last in seqs.items()]
    )
    with connection.cursor() as cursor:
        if postgres:
            for model in (Petitioner, Case, CaseDeadline, Rating, CaseEvent):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    settle(log)
    seconds = time.perf_counter() - started
    _set_marker(size, seconds, end)
    log(f"  generated in {seconds:.0f} s: {counts}")
    return {"size": size, "seconds": seconds, "end": end, **counts}
