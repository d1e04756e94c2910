"""Rows written before the chain existed are chained by the migration, in the order written."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.audit import chain, integrity
from xinfang.audit.models import AuditEntry

BEFORE_CHAIN = [("audit", "0004_action_publication")]
OLD_COLUMNS = "id, at, actor_id, actor_name, action, target_type, target_id, ip, path, detail"


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_rows_in_id_order():
    migrate(BEFORE_CHAIN)
    try:
        field = AuditEntry._meta.get_field("at")
        at = [
            field.get_db_prep_value(
                datetime.datetime(2026, 5, 1, 8, minute, 0, 250 * minute, datetime.UTC), connection
            )
            for minute in (30, 10, 20)
        ]
        # Ids with gaps, times out of order (a clock set back): the id decides.
        old_rows = [
            (3, at[0], 5, "wang", "login", "", "", "10.0.0.1", "/accounts/login/", '{"attempt": 1}'),
            (7, at[1], None, "", "access_denied", "view", "audit:log", None, "/audit/", "{}"),
            (
                8,
                at[2],
                5,
                "wang",
                "export",
                "ledger",
                "",
                "::1",
                "/cases/export/",
                '{"masked": true, "rows": 12}',
            ),
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO audit_auditentry ({OLD_COLUMNS}) VALUES ({', '.join(['%s'] * 10)})",  # noqa: S608
                old_rows,
            )
    finally:
        migrate(None)
    rows = list(AuditEntry.objects.order_by("seq").values_list("id", "seq", "prev_hash", "hash"))
    assert [(pk, seq) for pk, seq, _, _ in rows] == [(3, 1), (7, 2), (8, 3)]
    assert rows[0][2] == chain.GENESIS and rows[1][2] == rows[0][3] and rows[2][2] == rows[1][3]
    assert all(entry.compute_hash() == entry.hash for entry in AuditEntry.objects.all())
    report = integrity.verify()
    assert report.ok and report.rows == 3, report.findings
