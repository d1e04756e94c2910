"""The audit log's tests: a short chain to work on, and a tamperer who has the database."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction, AuditEntry

SQLITE_GUARDS = ("audit_no_update", "audit_no_delete", "audit_anchor_no_update", "audit_anchor_no_delete")


def tamper(sql: str, params=()) -> None:
    """What someone with the SQLite file, or the owner's password on PostgreSQL, can do: switch
    the guards off and change the tables with SQL. (Undone with the test's transaction.)"""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_GUARDS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditanchor DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def head_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def log(agent_cg):
    """Eight rows more, the first of them at ``log``'s value."""
    first = head_seq() + 1
    for n in range(8):
        record(AuditAction.REVEAL, by=agent_cg, target_type="cases.Case", target_id=n + 1, field="mobile")
    return first
