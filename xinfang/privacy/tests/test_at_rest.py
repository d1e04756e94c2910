"""After erasing, neither the values nor their encrypted tokens nor their keyed hashes are left
in the database's files or in the file store: the test reads the bytes on disk (SQLite: the
database file and its write-ahead log; PostgreSQL: every page of the touched tables, their TOAST
tables and their indexes, through ``pageinspect``)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from xinfang.core.models import StoredFile
from xinfang.privacy import actions, compact
from xinfang.privacy.tests.factories import Held, full_case

pytestmark = pytest.mark.django_db(transaction=True)  # on disk means committed

# The stored form of every personal column of the rows a full case writes.
STORED = {
    "cases_petitioner": (
        "name",
        "id_number",
        "mobile",
        "address",
        "name_hash",
        "id_number_hash",
        "mobile_hash",
    ),
    "cases_case": ("content", "platform_username", "platform_password", "query_code", "query_code_hash"),
    "oversight_riskreport": ("petitioner_name", "petitioner_name_hash", "description"),
    "core_storedfile": ("original_name", "sha256"),
    "public_lookupattempt": ("code_hash",),
}


def stored_values() -> list[str]:
    """Every non-empty value of those columns, as the database holds it (tokens, hashes)."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in STORED.items():
            cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
            found += [value for row in cursor.fetchall() for value in row if value]
    return found


def encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le")]


def left_in(content: bytes, values: list[str]) -> list[str]:
    return [v for v in values if any(e in content for e in encodings(v))]


def sqlite_bytes() -> bytes:
    path = Path(connection.settings_dict["NAME"])
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def postgresql_bytes() -> bytes:
    """Every page of the touched tables, their TOAST tables and TOAST indexes, and their indexes,
    as stored, dead row versions included."""
    pages = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(
            """
            WITH t AS (SELECT oid, reltoastrelid FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r')
            SELECT oid::regclass::text FROM t
            UNION ALL SELECT reltoastrelid::regclass::text FROM t WHERE reltoastrelid <> 0
            UNION ALL SELECT i.indexrelid::regclass::text FROM pg_index i
              WHERE i.indrelid IN (SELECT oid FROM t) OR i.indrelid IN (SELECT reltoastrelid FROM t)
            """,
            [compact.tables()],
        )
        for (relation,) in cursor.fetchall():
            cursor.execute(
                "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [relation]
            )
            for block in range(cursor.fetchone()[0]):
                cursor.execute("SELECT get_raw_page(%s, %s)", [relation, block])
                pages.append(bytes(cursor.fetchone()[0]))
    return b"".join(pages)


def on_disk() -> bytes:
    return sqlite_bytes() if connection.vendor == "sqlite" else postgresql_bytes()


@pytest.fixture
def held(settings, tmp_path, make_case, agent_cg) -> Held:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                pytest.skip("reading raw pages (pageinspect) needs a superuser")
    settings.PRIVATE_FILES_DIR = tmp_path
    return full_case(agent_cg, make_case, serial=61)


def test_erased_values_leave_the_database_files_and_the_file_store(held, settings):
    traces = [*held.secrets, *stored_values()]
    files = [p for p in Path(settings.PRIVATE_FILES_DIR).rglob("*") if p.is_file()]
    assert len(files) == 3 and StoredFile.objects.count() == 3
    assert left_in(on_disk(), traces), "the values should be on disk before they are erased"

    far = timezone.localdate() + datetime.timedelta(days=366 * 12)
    result = actions.run_retention(today=far)

    assert result.tally.petitioners == 1 and result.tally.files == 3
    assert result.compaction is not None and result.compaction.done, result.compaction
    assert left_in(on_disk(), traces) == []
    assert [p for p in Path(settings.PRIVATE_FILES_DIR).rglob("*") if p.is_file()] == []


def test_an_update_alone_leaves_them_on_disk(held):
    """Why the run rewrites the files: without it, the old values are still there."""
    traces = stored_values()
    far = timezone.localdate() + datetime.timedelta(days=366 * 12)
    actions.run_retention(today=far, compact=False)
    assert left_in(on_disk(), traces)
    assert actions.compact_now().done
    assert left_in(on_disk(), traces) == []
