"""The database triggers that keep ``MonthMark`` (migration 0003 creates them; ``ensure`` puts
back any a later migration lost: SQLite rebuilds a table to alter it, and its triggers go with
the old table)."""

# ruff: noqa: S608 — trigger SQL over fixed table and column names, no values.

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings

# --- Triggers: every write that can change a closed month's counts bumps its MonthMark ----------------
#
# Cases count by the local month of ``submitted_at`` and the month of ``delivered_on`` (ratings too,
# through their case), by category and town; deadlines by the month of ``due_on``. A row inserted,
# deleted or changed in one of these columns bumps the months of its old and its new values.
# Written in SQL so that nothing escapes them: actions, imports, bulk writes, the shell.

CASE_COLUMNS = ("unit_id", "submitted_at", "delivered_on", "category_id", "incident_town_id")
DEADLINE_COLUMNS = ("unit_id", "clock_id", "due_on", "stopped_on", "stopped_by")
RATING_COLUMNS = ("case_id", "body_satisfaction")


def _offset_hours() -> int:
    """The local time zone's offset (China Standard Time has had no summer time since 1991)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    offsets = {datetime.datetime(2000, m, 1, tzinfo=zone).utcoffset() for m in (1, 7)}
    assert len(offsets) == 1, "a time zone with summer time needs another month expression"
    offset = offsets.pop()
    assert offset is not None
    return int(offset.total_seconds() // 3600)


def _sqlite(schema_editor) -> list[str]:
    hours = _offset_hours()

    def bump(row: str, unit: str, month: str) -> str:
        return (
            f"INSERT INTO figures_monthmark (unit_id, month, version) SELECT {unit}, {month}, 1 "
            f"WHERE {unit} IS NOT NULL AND {month} IS NOT NULL "
            "ON CONFLICT (unit_id, month) DO UPDATE SET version = version + 1;"
        )

    def case(row: str) -> str:
        return bump(
            row, f"{row}.unit_id", f"date({row}.submitted_at, '{hours:+d} hours', 'start of month')"
        ) + bump(row, f"{row}.unit_id", f"date({row}.delivered_on, 'start of month')")

    def rating(row: str) -> str:
        return (
            "INSERT INTO figures_monthmark (unit_id, month, version) "
            "SELECT c.unit_id, date(c.delivered_on, 'start of month'), 1 FROM cases_case c "
            f"WHERE c.id = {row}.case_id AND c.delivered_on IS NOT NULL "
            "ON CONFLICT (unit_id, month) DO UPDATE SET version = version + 1;"
        )

    def deadline(row: str) -> str:
        return bump(row, f"{row}.unit_id", f"date({row}.due_on, 'start of month')")

    sql = []
    for table, body, columns in (
        ("cases_case", case, CASE_COLUMNS),
        ("ratings_rating", rating, RATING_COLUMNS),
        ("deadlines_casedeadline", deadline, DEADLINE_COLUMNS),
    ):
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        sql += [
            f"CREATE TRIGGER figures_{table}_insert AFTER INSERT ON {table} BEGIN {body('NEW')} END",
            f"CREATE TRIGGER figures_{table}_delete AFTER DELETE ON {table} BEGIN {body('OLD')} END",
            f"CREATE TRIGGER figures_{table}_update AFTER UPDATE ON {table} WHEN {changed} "
            f"BEGIN {body('OLD')} {body('NEW')} END",
        ]
    return sql


def _postgresql(schema_editor) -> list[str]:
    zone = settings.TIME_ZONE.replace("'", "")
    sql = [
        """CREATE FUNCTION figures_bump(u bigint, m date) RETURNS void AS $$
        BEGIN
          IF u IS NOT NULL AND m IS NOT NULL THEN
            INSERT INTO figures_monthmark (unit_id, month, version) VALUES (u, m, 1)
            ON CONFLICT (unit_id, month) DO UPDATE SET version = figures_monthmark.version + 1;
          END IF;
        END $$ LANGUAGE plpgsql"""
    ]
    bodies = {
        "cases_case": lambda r: (
            f"PERFORM figures_bump({r}.unit_id, date_trunc('month', {r}.submitted_at AT TIME ZONE '{zone}')::date);"
            f"PERFORM figures_bump({r}.unit_id, date_trunc('month', {r}.delivered_on)::date);"
        ),
        "ratings_rating": lambda r: (
            "PERFORM figures_bump(c.unit_id, date_trunc('month', c.delivered_on)::date) "
            f"FROM cases_case c WHERE c.id = {r}.case_id;"
        ),
        "deadlines_casedeadline": lambda r: (
            f"PERFORM figures_bump({r}.unit_id, date_trunc('month', {r}.due_on)::date);"
        ),
    }
    for table, columns in (
        ("cases_case", CASE_COLUMNS),
        ("ratings_rating", RATING_COLUMNS),
        ("deadlines_casedeadline", DEADLINE_COLUMNS),
    ):
        body = bodies[table]
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        sql += [
            f"""CREATE FUNCTION figures_{table}_changed() RETURNS trigger AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN {body("OLD")} END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN {body("NEW")} END IF;
              RETURN NULL;
            END $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER figures_{table}_write AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION figures_{table}_changed()",
            f"CREATE TRIGGER figures_{table}_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({changed}) EXECUTE FUNCTION figures_{table}_changed()",
        ]
    return sql


def _drop(schema_editor) -> list[str]:
    tables = ("cases_case", "ratings_rating", "deadlines_casedeadline")
    if schema_editor.connection.vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS figures_{t}_changed() CASCADE" for t in tables] + [
            "DROP FUNCTION IF EXISTS figures_bump(bigint, date)"
        ]
    return [
        f"DROP TRIGGER IF EXISTS figures_{t}_{op}" for t in tables for op in ("insert", "delete", "update")
    ]


def create_triggers(apps, schema_editor) -> None:
    statements = (
        _postgresql(schema_editor)
        if schema_editor.connection.vendor == "postgresql"
        else _sqlite(schema_editor)
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor) -> None:
    for statement in _drop(schema_editor):
        schema_editor.execute(statement, params=None)


# The trigger names, as the database lists them.
NAMES = tuple(
    f"figures_{table}_{op}"
    for table in ("cases_case", "ratings_rating", "deadlines_casedeadline")
    for op in ("insert", "delete", "update")
)
PG_NAMES = tuple(
    f"figures_{table}_{op}"
    for table in ("cases_case", "ratings_rating", "deadlines_casedeadline")
    for op in ("write", "update")
)


def present(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'figures_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'figures_%%'")
        return {row[0] for row in cursor.fetchall()}


def ensure(connection) -> bool:
    """Create the triggers again where one is missing (once the marks' table exists). True if it
    had to."""
    expected = set(PG_NAMES if connection.vendor == "postgresql" else NAMES)
    if "figures_monthmark" not in connection.introspection.table_names() or expected <= present(connection):
        return False
    with connection.cursor() as cursor:
        editor = _Statements(connection, cursor)  # no schema editor: SQLite refuses one in a transaction
        drop_triggers(None, editor)
        create_triggers(None, editor)
    return True


class _Statements:
    """What the builders above use of a schema editor: its connection and ``execute``."""

    def __init__(self, connection, cursor):
        self.connection, self.cursor = connection, cursor

    def execute(self, sql: str, params=None) -> None:
        self.cursor.execute(sql)
