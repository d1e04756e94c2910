"""What the database refuses: changing an anchor, emptying the audit tables; and on PostgreSQL,
the application's role (deploy/postgresql-roles.sql) cannot TRUNCATE, DROP, UPDATE or DELETE
them at all. (The log's own UPDATE and DELETE guards: tests/test_security.py.)"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, connections, transaction

from xinfang.audit import actions, integrity
from xinfang.audit.actions import record
from xinfang.audit.models import AppendOnlyError, AuditAction, AuditEntry

ROLES_SQL = Path(__file__).resolve().parents[3] / "deploy" / "postgresql-roles.sql"
OWNER, APP = "xf_audit_owner", "xf_audit_app"
REFUSED_TO_THE_APPLICATION = [
    "TRUNCATE audit_auditentry",
    "DROP TABLE audit_auditentry",
    "UPDATE audit_auditentry SET actor_name = 'x'",
    "DELETE FROM audit_auditentry",
    "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
    "TRUNCATE audit_auditanchor",
    "UPDATE audit_auditanchor SET seq = 1",
    "DELETE FROM audit_auditanchor",
    "DROP TABLE audit_auditanchor",
    "CREATE TABLE audit_shadow (id int)",
]


def raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; on SQLite `xinfang audit verify` is the guarantee (README)")


@pytest.mark.django_db
def test_anchors_cannot_be_changed_or_deleted(audit_guard, log, auditor):
    anchor = actions.take_anchor(by=auditor)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditanchor SET hash = %s WHERE id = %s", ["0" * 64, anchor.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditanchor WHERE id = %s", [anchor.pk])
    with pytest.raises(AppendOnlyError):
        anchor.save()
    with pytest.raises(AppendOnlyError):
        anchor.delete()
    assert integrity.verify(anchors=integrity.anchors_in_table()).ok


@pytest.mark.django_db
def test_postgresql_refuses_truncate_to_every_role(audit_guard, log):
    """Even the tables' owner (here a superuser): only the test runner's flush passes."""
    needs_postgresql()
    for table in ("audit_auditentry", "audit_auditanchor"):
        with pytest.raises(DatabaseError, match="append-only"):
            raw(f"TRUNCATE {table}")
    assert AuditEntry.objects.count() == 8


def psql_statements(text: str, variables: dict[str, str]) -> list[str]:
    """The file's statements as ``psql -v name=value -f`` runs them: comments dropped,
    ``:"name"`` an identifier, ``:'name'`` a literal, a ``$$`` body left alone."""
    statements, current, in_body = [], [], False
    for line in text.splitlines():
        if not in_body:
            if not line.strip() or line.lstrip().startswith("--"):
                continue
            for name, value in variables.items():
                line = line.replace(f':"{name}"', '"' + value.replace('"', '""') + '"')
                line = line.replace(f":'{name}'", "'" + value.replace("'", "''") + "'")
            assert not re.search(r":[\"'][a-z_]+[\"']", line), f"variable not given: {line}"
        if line.count("$$") % 2:
            in_body = not in_body
        current.append(line)
        if not in_body and line.rstrip().endswith(";"):
            statements.append("\n".join(current))
            current = []
    assert not current and not in_body
    return statements


def drop_roles(cursor) -> None:
    for role in (APP, OWNER):
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


def as_role(role: str, work):
    """Run ``work`` in a thread whose Django connection logs in as ``role``."""
    results: list = []
    backend = type(connections["default"])

    def run() -> None:
        wrapper = backend({**connection.settings_dict, "USER": role, "PASSWORD": ""}, "default")
        connections["default"] = wrapper
        try:
            results.append(work())
        except BaseException as exc:  # reported below
            results.append(exc)
        finally:
            wrapper.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(results[0], BaseException):
        raise results[0]
    return results[0]


def refusals_for_the_application() -> dict[str, str]:
    refused = {}
    for sql in REFUSED_TO_THE_APPLICATION:
        try:
            raw(sql)
        except DatabaseError as exc:
            refused[sql] = getattr(exc.__cause__, "sqlstate", "")
    return refused


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_empty_drop_or_rewrite_the_log(agent_cg):
    needs_postgresql()
    record(AuditAction.LOGIN, by=agent_cg)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test's database role may not create roles")
        drop_roles(cursor)  # what an interrupted run left
        cursor.execute(f'CREATE ROLE "{OWNER}" NOLOGIN')
        cursor.execute(f'CREATE ROLE "{APP}" LOGIN')
    try:
        with connection.cursor() as cursor:
            for sql in psql_statements(ROLES_SQL.read_text(encoding="utf-8"), {"owner": OWNER, "app": APP}):
                cursor.execute(sql)
        # The platform under the application's role: it writes the log and its other tables...
        assert as_role(APP, lambda: record(AuditAction.LOGIN, by=agent_cg).seq) == 2
        assert as_role(APP, lambda: actions.take_anchor().seq) == 2
        touch_user = "UPDATE accounts_user SET last_login = last_login WHERE id = %s"
        as_role(APP, lambda: raw(touch_user, [agent_cg.pk]))
        # ...but cannot empty, drop or change the audit tables, nor switch their guards off.
        refused = as_role(APP, refusals_for_the_application)
        assert refused == dict.fromkeys(REFUSED_TO_THE_APPLICATION, "42501")  # insufficient_privilege
    finally:
        with connection.cursor() as cursor:
            drop_roles(cursor)
    assert AuditEntry.objects.count() == 3
    assert integrity.verify(anchors=integrity.anchors_in_table()).ok
