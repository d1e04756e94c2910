"""One writer at a time for a named piece of work, inside the current transaction.

PostgreSQL: a transaction-scoped advisory lock on the name (released at commit or rollback).
SQLite: nothing to do; every writing transaction starts with BEGIN IMMEDIATE (settings), so
writers already run one at a time.
"""

from __future__ import annotations

from django.db import connection


def serialize(name: str) -> None:
    """Wait until no other transaction holds ``name``, then hold it until this one ends.
    Call inside ``transaction.atomic()``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
