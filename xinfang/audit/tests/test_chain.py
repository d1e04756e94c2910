"""``record`` chains every row to the one before, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from xinfang.audit import actions, chain, integrity
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_each_row_links_to_the_one_before(log):
    rows = list(AuditEntry.objects.order_by("seq"))
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == chain.GENESIS
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.hash
    assert all(row.compute_hash() == row.hash for row in rows)
    assert len({row.hash for row in rows}) == len(rows)


def test_the_hash_covers_every_field(agent_cg):
    entry = record(AuditAction.EXPORT, by=agent_cg, target_type="ledger", rows=3)
    for name, other in [
        ("seq", entry.seq + 1),
        ("at", entry.at + datetime.timedelta(microseconds=1)),
        ("actor_id", entry.actor_id + 1),
        ("actor_name", "zhao"),
        ("action", AuditAction.PRINT),
        ("target_type", "cases.Case"),
        ("target_id", "1"),
        ("ip", "10.0.0.9"),
        ("path", "/x/"),
        ("detail", {"rows": 4}),
        ("prev_hash", "f" * 64),
    ]:
        changed = AuditEntry(**{field: getattr(entry, field) for field in chain.FIELDS})
        setattr(changed, name, other)
        assert changed.compute_hash() != entry.hash, name


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "now, address",
    [
        (datetime.datetime(2026, 3, 1, 8, 0, 0, 0, tzinfo=SHANGHAI), "::ffff:10.0.0.7"),
        (datetime.datetime(2026, 3, 1, 8, 0, 0, 999999, tzinfo=datetime.UTC), "2001:DB8:0:0::7"),
        (datetime.datetime(2026, 12, 31, 23, 59, 59, 1, tzinfo=SHANGHAI), "10.0.0.7"),
    ],
)
def test_the_hash_survives_the_round_trip_through_the_database(monkeypatch, agent_cg, now, address):
    """Whole seconds (SQLite stores them without a fraction), another time zone, IPv6
    addresses the database spells its own way, and a detail JSON gives back changed."""
    monkeypatch.setattr(actions.timezone, "now", lambda: now)
    request = RequestFactory().get("/cases/7/", REMOTE_ADDR=address)
    request.user = agent_cg
    detail: dict[str, Any] = {
        "pair": (1, 2),
        "by_unit": {3: "three"},
        "big": 1e16,
        "small": 0.1,
        "name": "城关镇",
        "b": [True, None],
    }
    entry = record(AuditAction.REVEAL, request=request, target_type="cases.Case", target_id=7, **detail)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.at == now
    assert stored.compute_hash() == stored.hash == entry.hash
    assert integrity.verify().ok


def test_record_keeps_its_interface(agent_cg, auditor):
    request = RequestFactory().get("/audit/", REMOTE_ADDR="10.1.2.3")
    request.user = agent_cg
    entry = record(AuditAction.ACCOUNT, request=request, target=auditor, change="reset")
    assert entry.pk and entry.seq
    assert (entry.actor, entry.actor_name, entry.target_type, entry.target_id) == (
        agent_cg,
        "wang",
        "accounts.User",
        str(auditor.pk),
    )
    assert (entry.ip, entry.path, entry.detail) == ("10.1.2.3", "/audit/", {"change": "reset"})


def test_record_costs_two_statements_and_the_lock(log):
    """Called on many requests: the head under the lock, then the insert."""
    with CaptureQueriesContext(connection) as queries:
        record(AuditAction.LOGIN)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    expected = ["SELECT", "INSERT"] if connection.vendor == "sqlite" else ["SELECT", "SELECT", "INSERT"]
    assert statements == expected
    if connection.vendor == "postgresql":
        assert "pg_advisory_xact_lock" in queries.captured_queries[0]["sql"]


def test_a_rolled_back_row_gives_its_seq_to_the_next(log):
    before = AuditEntry.objects.order_by("-seq").first()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(AuditAction.EXPORT, target_type="ledger")
        raise RuntimeError("the caller's transaction fails after the audit row")
    after = record(AuditAction.LOGIN)
    assert after.seq == before.seq + 1 and after.prev_hash == before.hash
    report = integrity.verify()
    assert report.ok, report.findings


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_outer_transaction_leaves_no_false_alarm(agent_cg):
    """A real transaction (not a savepoint) writes a row, then rolls back; other rows follow."""
    record(AuditAction.LOGIN, by=agent_cg)
    for _ in range(3):
        with pytest.raises(RuntimeError), transaction.atomic():
            record(AuditAction.EXPORT, by=agent_cg, target_type="ledger")
            record(AuditAction.PRINT, by=agent_cg, target_type="ledger")
            raise RuntimeError
        record(AuditAction.LOGOUT, by=agent_cg)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4]
    report = actions.verify_log()
    assert report.ok and report.rows == 4, report.findings


def test_control_characters_passed_by_a_caller_are_logged_not_refused(db):
    from xinfang.audit import integrity
    from xinfang.audit.actions import record

    entry = record(
        "access_denied", target_type="notice\x00", target_id="1\x00" + "9" * 60, raw={"q\x01": "a\x00b"}
    )
    entry.refresh_from_db()
    assert entry.target_type == "notice\ufffd"
    assert entry.target_id.startswith("1\ufffd9") and len(entry.target_id) == 40
    assert entry.detail == {"raw": {"q\ufffd": "a\ufffdb"}}
    assert integrity.verify().ok
