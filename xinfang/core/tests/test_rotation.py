"""``xinfang keys rotate``: every encrypted column (found by introspection), every keyed hash and
every private file under the newest key, in batches, without overwriting a concurrent edit."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import petitioner_data
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import Case, Petitioner, name_keys
from xinfang.cases.selectors import find_by_query_code
from xinfang.core import crypto, files, keys, rotation
from xinfang.core.models import DataKeyCheck, StoredFile
from xinfang.oversight.actions import file_report

NEW = os.urandom(32)


@pytest.fixture
def stored(settings, tmp_path, make_case, agent_cg):
    """Cases with everything encrypted: petitioners, a submitted case with files, a risk report."""
    from xinfang.cases.tests.test_views import submitted_case

    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    people = [
        make_case(agent_cg, serial=n, petitioner=petitioner_data(n, name=f"鲁某{n}")) for n in range(1, 4)
    ]
    submitted = submitted_case(
        agent_cg, make_case, serial=7, title="漏水", password="Pw-7", query_code="ZPR0007"
    )
    file_report(
        by=agent_cg,
        kind="escalation",
        urgency="normal",
        happened_on=submitted.received_on,
        description="扬言越级",
        case=people[0],
    )
    return [*people, submitted]


def snapshot() -> dict:
    """Every encrypted value and file content, read through the ORM and the file store."""
    values: dict[tuple, Any] = {}
    for entry in keys.encrypted_models():
        for row in entry.model._default_manager.all():
            for f in entry.fields:
                values[(entry.label, row.pk, f.name)] = getattr(row, f.name)
    for item in StoredFile.objects.all():
        values[("file", item.pk)] = files.read(item)
    return values


def token_keys() -> set[bytes]:
    found = set()
    with connection.cursor() as cursor:
        for entry in keys.encrypted_models():
            for f in entry.fields:
                cursor.execute(f"SELECT {f.column} FROM {entry.table}")  # noqa: S608 - our own names
                found |= {crypto.token_key_id(v) for (v,) in cursor.fetchall() if v}
    return found


def test_rotation_moves_every_value_hash_and_file_to_the_new_key(settings, ring, stored):
    old = settings.DATA_KEY
    before = snapshot()
    assert any(label == "oversight.RiskReport" for label, *_ in before if label != "file")
    ring(NEW, old)
    result = rotation.rotate(batch_size=2)
    assert result.rows["cases.Petitioner"] == 3 + 1 and result.files == StoredFile.objects.count() >= 1
    assert token_keys() == {crypto.derive(NEW).id}
    found = keys.usage()
    assert found.key_ids == {crypto.derive(NEW).hex_id}
    # Only the new key now: the old one leaves the ring and its check row goes.
    ring(NEW)
    keys.verify_data_key()
    assert list(DataKeyCheck.objects.values_list("key_id", flat=True)) == [crypto.derive(NEW).hex_id]
    assert snapshot() == before
    # The keyed hashes were recomputed under the new key.
    person = Petitioner.objects.get(pk=stored[0].petitioner_id)
    assert person.name_hash == crypto.lookup_hash("name", "鲁某1", key=crypto.derive(NEW))
    assert Petitioner.objects.filter(name_hash__in=name_keys("鲁某1")).get() == person
    assert find_by_query_code(stored[0].agent, "ZPR0007").pk == stored[-1].pk
    # Running it again finds nothing to do.
    assert sum(rotation.rotate().rows.values()) == 0


def test_a_value_edited_during_the_rotation_is_never_overwritten(settings, ring, stored, monkeypatch):
    """The batch has read every row when another writer changes one of them: the batch writes a
    value back only where the column still holds the token it read, and a later pass takes the
    edited row up."""
    old = settings.DATA_KEY
    target = stored[1].petitioner_id
    before = dict(Petitioner.objects.values_list("pk", "name"))
    real = rotation._new_values
    edits: list[object] = []

    def edit_meanwhile(column, value, newest, *, plain):
        if column.context == "cases.Petitioner.name" and not edits:
            with connection.cursor() as cursor:
                # Another writer's edit, as the model saves it: the name and its hash.
                cursor.execute(
                    "UPDATE cases_petitioner SET name = %s, name_hash = %s WHERE id = %s",
                    [
                        crypto.encrypt_text("鲁某新", column.context),
                        crypto.lookup_hash("name", "鲁某新"),
                        target,
                    ],
                )
                edits.append(cursor.rowcount)
        return real(column, value, newest, plain=plain)

    ring(NEW, old)
    monkeypatch.setattr(rotation, "_new_values", edit_meanwhile)
    rotation.rotate(batch_size=10)
    assert edits == [1] and token_keys() == {crypto.derive(NEW).id}
    after = dict(Petitioner.objects.values_list("pk", "name"))
    assert after[target] == "鲁某新"  # the edit stands: the stale name was not written back
    assert {pk: n for pk, n in after.items() if pk != target} == {
        pk: n for pk, n in before.items() if pk != target
    }
    assert Petitioner.objects.get(pk=target).name_hash == crypto.lookup_hash("name", "鲁某新")


def test_the_command_reports_progress_and_audits_start_and_end(settings, ring, stored):
    old = settings.DATA_KEY
    ring(NEW, old)
    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "1", stdout=out)
    text = out.getvalue()
    assert "信访人（cases.Petitioner）：4 / 4" in text
    assert "磁盘上的私有文件" in text
    assert f"旧密钥 {crypto.derive(old).hex_id} 已没有数据使用，可以从配置中删除" in text
    events = list(
        AuditEntry.objects.filter(action=AuditAction.DATA_KEY, target_type="core.DataKey")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert [e["event"] for e in events] == ["key_rotation_started", "key_rotation_finished"]
    assert events[0]["stale"][crypto.derive(old).hex_id] > 0 and events[1]["remaining"] == {}

    status = io.StringIO()
    call_command("keys", "status", stdout=status)
    assert "轮换进度：100%" in status.getvalue()
    assert Case.objects.count() == len(stored)
