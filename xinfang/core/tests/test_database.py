"""The SQLite database commits durably (synchronous=FULL, WAL); the test database skips the fsync."""

from __future__ import annotations

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's pragmas")


def _fresh_pragmas() -> tuple[int, str]:
    wrapper = connections.create_connection("default")
    try:
        with wrapper.cursor() as cursor:
            synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
            journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        return synchronous, journal
    finally:
        wrapper.close()


@pytest.mark.durable
@pytest.mark.django_db
def test_a_new_connection_commits_durably_in_wal_mode():
    assert _fresh_pragmas() == (2, "wal")  # 2 = FULL


@pytest.mark.django_db
def test_the_test_database_skips_the_fsync():
    assert _fresh_pragmas() == (0, "wal")  # 0 = OFF, only in tests
