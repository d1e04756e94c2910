"""Backup and restore: the two operations that change what is stored, each with its audit row.

Glossary: 备份 backup · 恢复 restore · 清单 manifest · 数据密钥 data key · 轮换保留 keep (rotation).
"""

from __future__ import annotations

import base64
import importlib.metadata
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.core.keys import DataKeyError, forget_verification, verify_data_key
from xinfang.ops import archive, engines, selectors
from xinfang.ops.errors import OpsError

COMMAND_LINE = "(command line)"


@dataclass
class BackupResult:
    path: Path
    engine: str
    files: int
    size: int
    includes_key: bool
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    engine: str
    target: str
    files: int
    created_at: str
    pending_migrations: int


def _audit(action: AuditAction, *, by, name: str, **detail) -> None:
    with transaction.atomic():
        record(
            action,
            by=by,
            actor_name="" if by else COMMAND_LINE,
            target_type="backup",
            target_id=name,
            **detail,
        )


def _version() -> str:
    try:
        return importlib.metadata.version("xinfang")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _migration_state(folder: Path) -> list[list[str]]:
    if engines.vendor() == "sqlite":
        return engines.sqlite_migrations(folder / engines.SQLITE_FILE)
    # pg_dump's snapshot and this query are moments apart; migrations only change on upgrades.
    return sorted([app, name] for app, name in selectors.applied_migrations())


def _write(folder: Path, *, include_key: bool) -> dict:
    """1. the database (a consistent snapshot); 2. the file store, after it, so every file the
    snapshot refers to is already on disk (files are written before their row commits);
    3. the key if asked; 4. the manifest, last."""
    tools = engines.dump(folder)
    entries = [archive.hash_file(folder / engines.database_file(), engines.database_file())]
    entries += archive.copy_tree(settings.PRIVATE_FILES_DIR, folder / archive.FILES, prefix=archive.FILES)
    if include_key:
        # The whole keyring, newest first, one per line: the format of XINFANG_DATA_KEY_FILE, so
        # a backup taken during a rotation still opens every value it holds.
        ring = [settings.DATA_KEY, *getattr(settings, "DATA_OLD_KEYS", ())]
        keys = "".join(base64.b64encode(bytes(key)).decode() + "\n" for key in ring)
        archive.write_file(folder / archive.KEY, keys.encode())
        entries.append(archive.hash_file(folder / archive.KEY, archive.KEY))
    manifest = {
        "format": archive.FORMAT,
        "product": "xinfang",
        "version": _version(),
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "engine": engines.vendor(),
        "database": engines.database_file(),
        "tools": tools,
        "migrations": _migration_state(folder),
        "includes_key": include_key,
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
    }
    archive.write_manifest(folder, manifest)
    return manifest


def backup(*, into: Path, by=None, keep: int | None = None, include_key: bool = False) -> BackupResult:
    """Back up the database and the private files into a new folder under ``into``, while the
    platform keeps serving. With ``keep``, only the newest ``keep`` backups stay."""
    if keep is not None and keep < 1:
        raise OpsError("--keep 至少为 1。")
    into = Path(into).resolve()
    archive.make_dir(into)
    name = archive.new_name(into, timezone.localtime())
    partial = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=archive.PARTIAL_SUFFIX, dir=into))
    try:
        manifest = _write(partial, include_key=include_key)
        archive.finish(partial, into / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    files = [f for f in manifest["files"] if f["path"].startswith(archive.FILES + "/")]
    result = BackupResult(
        path=into / name,
        engine=manifest["engine"],
        files=len(files),
        size=sum(f["size"] for f in manifest["files"]),
        includes_key=include_key,
    )
    _audit(
        AuditAction.BACKUP,
        by=by,
        name=name,
        operation="备份",
        engine=result.engine,
        files=result.files,
        size=result.size,
        includes_key=include_key,
    )
    if keep is not None:
        result.removed = archive.rotate(into, keep)
    return result


def _check_target() -> None:
    files_dir = Path(settings.PRIVATE_FILES_DIR)
    problems = []
    if not engines.is_empty():
        problems.append(f"数据库（{engines.target_name()}）中已有数据表")
    if archive.walk(files_dir):
        problems.append(f"文件目录 {files_dir} 中已有文件")
    if problems:
        raise OpsError(
            "恢复只写入空的数据库和空的数据目录，以免覆盖现有数据：" + "；".join(problems) + "。"
            "请换用新建的空数据库和只放有密钥的数据目录（XINFANG_DATA_DIR），或先确认后清空它们。"
        )


def _check_compatible(manifest: dict) -> None:
    if manifest.get("engine") != engines.vendor():
        raise OpsError(
            f"备份来自 {manifest.get('engine')} 数据库，当前配置的是 {engines.vendor()}："
            "恢复只能在同一种数据库之间进行。"
        )
    unknown = {tuple(m) for m in manifest.get("migrations", [])} - selectors.code_migrations()
    if unknown:
        raise OpsError(
            f"备份由较新的版本（{manifest.get('version')}）制作，本程序不认识其中 {len(unknown)} 个数据库迁移："
            "请先把程序升级到不低于该版本，再恢复。"
        )


def _restore_files(source: Path) -> int:
    """Copy the file store into a temporary folder beside the target, then rename it."""
    target = Path(settings.PRIVATE_FILES_DIR)
    archive.make_dir(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=".files-restoring-", dir=target.parent))
    try:
        entries = archive.copy_tree(source, staging)
        if target.exists():
            shutil.rmtree(target)  # empty: checked before anything was written
        os.rename(staging, target)
        archive.fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(entries)


def _undo() -> None:
    """Remove what a failed restore wrote (the target was empty before it)."""
    shutil.rmtree(settings.PRIVATE_FILES_DIR, ignore_errors=True)
    try:
        engines.wipe()
    except Exception as exc:
        raise OpsError(
            f"恢复失败，且未能撤销已写入的数据库内容：请删除并重建 {engines.target_name()} 后再试。"
        ) from exc


def restore(*, source: Path, by=None, no_owner: bool = False) -> RestoreResult:
    """Restore a backup into an empty database and an empty data directory.

    1. Read the manifest and check every file's size and SHA-256: nothing is written before.
    2. Refuse a backup of another engine or of a newer schema, and a target that is not empty.
    3. Write the database, then the files.
    4. Check that the configured data key opens the restored data; if not, remove what was
       written (the target is empty again) and say so.
    5. Write the audit row into the restored database.
    """
    source = Path(source).resolve()
    manifest = archive.read_manifest(source)
    archive.verify(source, manifest)
    _check_compatible(manifest)
    _check_target()
    try:
        engines.load(source, no_owner=no_owner)
        files = _restore_files(source / archive.FILES)
        forget_verification()  # what was checked before the restore says nothing of its data
        verify_data_key()
    except DataKeyError as exc:
        _undo()
        hint = (
            f"备份中含有数据密钥（{archive.KEY}），可按部署说明将其设为 XINFANG_DATA_KEY_FILE 后重试。"
            if manifest.get("includes_key")
            else "请配置制作此备份时使用的数据密钥（离线保存的副本）后重试。"
        )
        raise OpsError(f"{exc}已撤销本次恢复写入的数据，数据库和数据目录仍为空。{hint}") from exc
    except BaseException:
        _undo()
        raise
    pending = len(selectors.code_migrations() - {tuple(m) for m in manifest.get("migrations", [])})
    _audit(
        AuditAction.BACKUP,
        by=by,
        name=source.name,
        operation="从备份恢复",
        created_at=manifest.get("created_at"),
        engine=manifest.get("engine"),
        files=files,
    )
    return RestoreResult(
        engine=manifest["engine"],
        target=engines.target_name(),
        files=files,
        created_at=manifest.get("created_at", ""),
        pending_migrations=pending,
    )
