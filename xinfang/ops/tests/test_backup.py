"""Backups of the test database, in this process; the whole drill with restores is test_drill.py."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import time

import pytest
from django.conf import settings
from django.db import connection

from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases import actions as case_actions
from xinfang.cases.models import Case
from xinfang.core import files
from xinfang.ops import actions, archive, engines
from xinfang.ops.errors import OpsError

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and SQLite's backup see committed rows

SCAN = files.Checked(content=b"%PDF-1.4\n% scan of a letter\n", content_type=files.PDF, name="来信.pdf")
PHOTO = files.Checked(
    content=b"\x89PNG\r\n\x1a\n" + os.urandom(2000), content_type=files.PNG, name="现场.png"
)


@pytest.fixture
def stored(settings, tmp_path, agent_cg, make_case):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    case = make_case(agent_cg, serial=3)
    case_actions.attach_files(case, by=agent_cg, uploads=[SCAN, PHOTO])
    make_case(agent_cg, serial=4)
    return case


@pytest.fixture
def into(tmp_path):
    return tmp_path / "backups"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(folder) -> dict:
    return json.loads((folder / archive.MANIFEST).read_text())


def test_backup_lists_every_file_with_its_sha256(stored, into):
    result = actions.backup(into=into)
    manifest = manifest_of(result.path)
    listed = {item["path"]: item for item in manifest["files"]}
    store = settings.PRIVATE_FILES_DIR
    expected = {f"files/{p.relative_to(store).as_posix()}" for p in store.rglob("*") if p.is_file()}
    assert len(expected) == 2
    assert set(listed) == {engines.database_file()} | expected
    for path, item in listed.items():
        assert item["sha256"] == sha256(result.path / path)
        assert item["size"] == (result.path / path).stat().st_size
    for path in expected:  # the stored (encrypted) bytes, unchanged
        assert (result.path / path).read_bytes() == (store / path.removeprefix("files/")).read_bytes()
    assert manifest["engine"] == connection.vendor
    assert ["cases", "0001_initial"] in manifest["migrations"]
    assert manifest["includes_key"] is False
    assert manifest["version"] and manifest["created_at"]
    assert result.files == 2


def test_backup_holds_the_rows_of_the_moment(stored, into):
    result = actions.backup(into=into)
    database = result.path / engines.database_file()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(database)
        try:
            assert copy.execute("SELECT count(*) FROM cases_case").fetchone()[0] == Case.objects.count() == 2
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        finally:
            copy.close()
    else:
        assert database.read_bytes()[:5] == b"PGDMP"
        assert manifest_of(result.path)["tools"]["pg_dump"]


def test_backup_is_private_and_has_no_key(stored, into):
    result = actions.backup(into=into)
    for path in [result.path, *result.path.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    assert not (result.path / "key").exists()
    key = base64.b64encode(bytes(settings.DATA_KEY))
    assert all(key not in p.read_bytes() for p in result.path.rglob("*") if p.is_file())


def test_the_key_goes_in_only_when_asked(stored, into):
    result = actions.backup(into=into, include_key=True)
    assert base64.b64decode((result.path / archive.KEY).read_text()) == bytes(settings.DATA_KEY)


def test_the_whole_keyring_goes_in_newest_first_as_in_a_key_file(stored, into, settings):
    old = bytes(range(32))
    settings.DATA_OLD_KEYS = (old,)
    result = actions.backup(into=into, include_key=True)
    lines = (result.path / archive.KEY).read_text().splitlines()
    assert [base64.b64decode(line) for line in lines] == [bytes(settings.DATA_KEY), old]
    manifest = manifest_of(result.path)
    assert manifest["includes_key"] is True
    assert archive.KEY in {item["path"] for item in manifest["files"]}


def test_backup_writes_an_audit_row_without_personal_data(stored, into):
    result = actions.backup(into=into)
    entry = AuditEntry.objects.filter(action=AuditAction.BACKUP, target_type="backup").get()
    assert entry.target_id == result.path.name
    assert entry.actor_name == "(command line)"
    assert entry.detail["operation"] == "备份" and entry.detail["files"] == 2
    assert stored.petitioner.id_number not in json.dumps(entry.detail, ensure_ascii=False)


def test_a_failed_backup_leaves_nothing_that_looks_whole(stored, into, monkeypatch):
    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "copy_tree", crash)
    with pytest.raises(OSError, match="disk full"):
        actions.backup(into=into)
    assert list(into.iterdir()) == []
    assert not AuditEntry.objects.filter(target_type="backup").exists()


def fake_backup(into, name: str):
    folder = into / name
    folder.mkdir(parents=True)
    (folder / archive.MANIFEST).write_text("{}")
    return folder


def test_keep_removes_the_oldest_backups_and_stale_unfinished_ones(stored, into):
    old = [fake_backup(into, f"xinfang-backup-2025010{i}-020000") for i in (1, 2, 3)]
    stale = into / ".xinfang-backup-20250104-020000.x1.partial"
    stale.mkdir()
    os.utime(stale, (time.time() - 3 * 86400,) * 2)
    running = into / ".xinfang-backup-20250105-020000.x2.partial"
    running.mkdir()
    other = into / "notes"
    other.mkdir()
    result = actions.backup(into=into, keep=2)
    assert sorted(result.removed) == sorted([old[0], old[1], stale])
    assert sorted(p.name for p in into.iterdir()) == sorted(
        [old[2].name, result.path.name, running.name, other.name]
    )


def test_keep_must_be_positive(stored, into):
    with pytest.raises(OpsError, match="--keep"):
        actions.backup(into=into, keep=0)


@pytest.fixture
def backup(stored, into):
    return actions.backup(into=into).path


def tampered(backup, tmp_path, change):
    copy = tmp_path / "tampered" / backup.name
    shutil.copytree(backup, copy)
    change(copy)
    return copy


def flip_a_byte(folder):
    target = next(p for p in sorted((folder / "files").rglob("*")) if p.is_file())
    data = bytearray(target.read_bytes())
    data[-1] ^= 1
    target.write_bytes(bytes(data))


def edit_manifest(**changes):
    def change(folder):
        manifest = manifest_of(folder)
        manifest.update(changes)
        (folder / archive.MANIFEST).write_text(json.dumps(manifest))

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (flip_a_byte, "与清单不符"),
        (lambda f: next(p for p in (f / "files").rglob("*") if p.is_file()).unlink(), "缺少文件"),
        (lambda f: (f / "files" / "extra").write_bytes(b"x"), "清单中没有的文件"),
        (edit_manifest(files=[{"path": "../outside", "size": 1, "sha256": "0"}]), "路径不安全"),
        (lambda f: (f / archive.MANIFEST).unlink(), "不是完整的备份"),
        (lambda f: (f / archive.MANIFEST).write_text("{not json"), "已损坏"),
        (edit_manifest(format=99), "格式版本"),
    ],
)
def test_restore_refuses_a_damaged_backup_before_writing(backup, tmp_path, change, message):
    before = sorted(archive.walk(settings.PRIVATE_FILES_DIR))
    with pytest.raises(OpsError, match=message):
        actions.restore(source=tampered(backup, tmp_path, change))
    assert sorted(archive.walk(settings.PRIVATE_FILES_DIR)) == before
    assert Case.objects.count() == 2


def test_restore_refuses_a_target_that_holds_data(backup):
    with pytest.raises(OpsError, match="已有数据表") as refused:
        actions.restore(source=backup)
    assert "已有文件" in str(refused.value)
    assert Case.objects.count() == 2
    assert len(archive.walk(settings.PRIVATE_FILES_DIR)) == 2


def test_restore_refuses_another_engine(backup, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with pytest.raises(OpsError, match="同一种数据库"):
        actions.restore(source=tampered(backup, tmp_path, edit_manifest(engine=other)))


def test_restore_refuses_a_backup_of_a_newer_version(backup, tmp_path):
    newer = manifest_of(backup)["migrations"] + [["cases", "9999_from_the_future"]]
    with pytest.raises(OpsError, match="较新的版本"):
        actions.restore(source=tampered(backup, tmp_path, edit_manifest(migrations=newer, version="9.0")))


def test_a_folder_that_was_never_renamed_is_not_a_backup(stored, into, monkeypatch):
    monkeypatch.setattr(archive, "finish", lambda partial, final: None)  # a crash before the rename
    actions.backup(into=into)
    [partial] = into.iterdir()
    assert partial.name.endswith(".partial")
    assert archive.backups_in(into) == []
    with pytest.raises(OpsError, match="不是完整的备份"):
        actions.restore(source=partial)
