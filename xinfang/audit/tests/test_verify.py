"""``verify`` finds what a tamperer with the database did: a changed, deleted or inserted row,
a history rewritten with fresh hashes, a cut-off tail."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from xinfang.access.rules import Refused
from xinfang.audit import actions, chain, integrity
from xinfang.audit.models import AuditAction, AuditAnchor, AuditEntry
from xinfang.audit.tests.conftest import head_seq, tamper

pytestmark = pytest.mark.django_db


def verify_command(*args) -> tuple[int | str | None, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def rechain_from(seq: int) -> None:
    """The careful tamperer: recompute every hash from ``seq`` on, so the chain holds again."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else chain.GENESIS
    for row in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        row.prev_hash = prev
        digest = row.compute_hash()
        tamper("UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, row.pk])
        prev = digest


def forge_at(seq: int) -> None:
    """Insert a made-up row as number ``seq``: later rows move up one, the new row links to
    the one before it and carries a correct hash of its own."""
    tamper("UPDATE audit_auditentry SET seq = -seq WHERE seq >= %s", [seq])
    tamper("UPDATE audit_auditentry SET seq = 1 - seq WHERE seq < 0")
    before = AuditEntry.objects.get(seq=seq - 1)
    forged = AuditEntry(
        seq=seq,
        at=before.at + datetime.timedelta(seconds=1),
        actor_name="zhao",
        action=AuditAction.LOGIN,
        prev_hash=before.hash,
        detail={},
    )
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)


def test_a_clean_chain_verifies(log, capsys):
    code, out = verify_command()
    assert code == 0
    assert "审计日志完整" in out and "核验 8 条" in out
    entry = AuditEntry.objects.get(action=AuditAction.VERIFY)
    assert (entry.actor, entry.detail["result"], entry.detail["rows"], entry.detail["via"]) == (
        None,
        "ok",
        8,
        "command",
    )
    assert integrity.verify().ok  # the verification's own row is part of the chain


def test_verify_catches_an_update(log):
    tamper("UPDATE audit_auditentry SET actor_name = %s WHERE seq = %s", ["zhao", log + 2])
    report = integrity.verify()
    assert report.counts == {"changed": 1}
    assert report.findings == [f"第 {log + 2} 条记录的内容与其哈希不符：该条被改动。"]
    code, out = verify_command()
    assert code == 1
    assert f"第 {log + 2} 条记录的内容与其哈希不符" in out and "审计日志被篡改" in out
    assert AuditEntry.objects.get(action=AuditAction.VERIFY).detail["result"] == "tampered"


def test_verify_catches_an_update_with_a_recomputed_hash(log):
    row = AuditEntry.objects.get(seq=log + 2)
    row.detail = {"field": "address"}
    tamper(
        "UPDATE audit_auditentry SET detail = %s, hash = %s WHERE id = %s",
        ['{"field": "address"}', row.compute_hash(), row.pk],
    )
    report = integrity.verify()
    assert report.counts == {"relinked": 1}
    assert report.findings[0].startswith(f"第 {log + 3} 条记下的前一条哈希与第 {log + 2} 条不符")


def test_verify_catches_a_delete(log):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [log + 2])
    report = integrity.verify()
    assert report.counts == {"deleted": 1}
    assert report.findings == [f"缺少第 {log + 2} 条：记录被删除。"]
    tamper("DELETE FROM audit_auditentry WHERE seq IN (%s, %s)", [log + 4, log + 5])
    assert f"缺少第 {log + 4}–{log + 5} 条：记录被删除。" in integrity.verify().findings


def test_verify_catches_an_inserted_row(log):
    forge_at(log + 3)
    report = integrity.verify()
    assert not report.ok
    assert report.counts["relinked"] == 1
    assert report.findings[1].startswith(f"第 {log + 4} 条记下的前一条哈希与第 {log + 3} 条不符")
    # The rows that moved up no longer match their hashes either (the number is hashed).
    assert report.counts["changed"] == 5


def test_verify_catches_a_repeated_number():
    """A forged row given the number of an existing one (where the tamperer could drop the
    unique constraint): read in (seq, id) order, the second is the inserted one."""
    rows, prev = [], chain.GENESIS
    at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for seq in (1, 2, 3):
        fields: list[Any] = [seq, at, None, "", "login", "", "", None, "", {}, prev]
        digest = chain.digest(*fields)
        rows.append((*fields, digest))
        prev = digest
    forged_fields: list[Any] = [2, at, None, "zhao", "login", "", "", None, "", {}, rows[0][-1]]
    forged = (*forged_fields, chain.digest(*forged_fields))
    walk = integrity._Walk(integrity.Report(), [])
    for row in (rows[0], rows[1], forged, rows[2]):
        walk.step(row)
    assert walk.report.counts == {"inserted": 1}
    assert walk.report.findings == ["第 2 条出现不止一次：有记录被插入。"]


def test_only_an_anchor_shows_a_history_rewritten_with_fresh_hashes(log, auditor):
    anchor = actions.take_anchor(by=auditor)
    forge_at(log + 3)
    rechain_from(log + 4)
    assert integrity.verify().ok  # the chain alone holds again
    report = integrity.verify(anchors=integrity.anchors_in_table())
    assert report.counts == {"rewritten": 1}
    assert report.findings[0].startswith(f"第 {anchor.seq} 条的哈希与锚点表")


def test_verify_catches_a_cut_off_tail_with_the_anchor_file(log, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    call_command("audit", "anchor", "-o", str(anchors), stdout=io.StringIO())
    anchored = json.loads(anchors.read_text())["seq"]
    assert anchored == log + 7
    cut = anchored - 2
    tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [cut])
    report = integrity.verify(anchors=integrity.anchors_in_table())
    assert report.counts == {"truncated": 1}
    # The tamperer empties the anchor table too: the auditor's file still tells.
    tamper("DELETE FROM audit_auditanchor")
    assert integrity.verify(anchors=integrity.anchors_in_table()).ok
    code, out = verify_command("--anchor", str(anchors))
    assert code == 1
    assert (
        f"锚点文件 anchors.jsonl 第 1 行记有第 {anchored} 条，日志现在只到第 {cut - 1} 条：末尾被截断。"
        in out
    )


def test_anchor_command_appends_one_line_a_day(log, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    out = io.StringIO()
    call_command("audit", "anchor", "-o", str(anchors), stdout=out)
    assert "已记录锚点" in out.getvalue()
    call_command("audit", "anchor", "-o", str(anchors), stdout=io.StringIO())
    lines = [json.loads(line) for line in anchors.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [log + 7, log + 8]  # the first anchor's own row
    assert lines[0]["hash"] == AuditEntry.objects.get(seq=log + 7).hash
    assert lines[0]["format"] == integrity.ANCHOR_FORMAT and lines[0]["at"].endswith("Z")
    assert (
        AuditAnchor.objects.count() == 2 and AuditEntry.objects.filter(action=AuditAction.ANCHOR).count() == 2
    )
    printed = io.StringIO()
    call_command("audit", "anchor", "-o", "-", stdout=printed)
    assert json.loads(printed.getvalue())["seq"] == head_seq() - 1
    assert verify_command("--anchor", str(anchors))[0] == 0


def test_a_damaged_anchor_file_is_a_finding(log, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text('{"seq": 1, "hash": "abc"}\nnot json\n', encoding="utf-8")
    code, out = verify_command("--anchor", str(anchors))
    assert code == 1
    assert "锚点文件 anchors.jsonl 第 1 行无法识别" in out and "第 2 行无法识别" in out


def test_only_the_auditor_verifies_or_anchors(log, bureau_user, auditor):
    with pytest.raises(Refused):
        actions.verify_log(by=bureau_user)
    with pytest.raises(Refused):
        actions.take_anchor(by=bureau_user)
    refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=bureau_user)
    assert [row.detail["capability"] for row in refusals] == ["verify_audit", "verify_audit"]
    assert not AuditEntry.objects.filter(action__in=(AuditAction.VERIFY, AuditAction.ANCHOR)).exists()
    assert actions.verify_log(by=auditor).ok
    assert AuditEntry.objects.get(action=AuditAction.VERIFY).actor == auditor


def test_the_check_of_recent_rows_starts_at_the_last_full_verification(log, auditor):
    with pytest.raises(actions.AuditError, match="还没有完整核验过"):
        actions.verify_log(by=auditor, recent_only=True)
    full = actions.verify_log(by=auditor)
    for n in range(3):
        actions.record(AuditAction.LOGIN, by=auditor, n=n)
    recent = actions.verify_log(by=auditor, recent_only=True)
    assert recent.ok and (recent.scope, recent.from_seq, recent.rows) == ("recent", full.head_seq, 5)
    # A row before the start is for the daily full verification; the start row itself and
    # every row after it are checked.
    tamper("UPDATE audit_auditentry SET actor_name = 'x' WHERE seq IN (%s, %s)", [log, full.head_seq + 2])
    recent = actions.verify_log(by=auditor, recent_only=True)
    assert recent.counts == {"changed": 1}
    tamper("UPDATE audit_auditentry SET hash = %s WHERE seq = %s", ["0" * 64, full.head_seq])
    assert "rewritten" in actions.verify_log(by=auditor, recent_only=True).counts
    assert not actions.verify_log(by=auditor).ok


def test_the_guards_are_in_place_after_the_migrations():
    """A table rebuilt by a later migration on SQLite loses its triggers: this would tell."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'audit_%'"
            )
        names = {name for (name,) in cursor.fetchall()}
    expected = {
        "sqlite": {"audit_no_update", "audit_no_delete", "audit_anchor_no_update", "audit_anchor_no_delete"},
        "postgresql": {
            "audit_no_update",
            "audit_no_truncate",
            "audit_anchor_no_update",
            "audit_anchor_no_truncate",
        },
    }[connection.vendor]
    assert names == expected


def test_an_emptied_log_is_a_cut_off_tail(log, auditor):
    head = head_seq()  # ``log``'s rows, then those the auditor's enrolment wrote
    actions.take_anchor(by=auditor)
    tamper("DELETE FROM audit_auditentry")
    report = integrity.verify(anchors=integrity.anchors_in_table())
    assert report.counts == {"truncated": 1}
    assert report.findings[0].endswith(f"记有第 {head} 条，日志现在一条记录也没有：末尾被截断。")
