"""A backup on disk: one folder, a manifest of every file's SHA-256, written atomically.

Layout of ``xinfang-backup-20261129-020000/``::

    manifest.json        what is inside (below), written last
    database.sqlite3     SQLite: a copy made by SQLite's online backup API
    database.dump        PostgreSQL: pg_dump's custom format
    files/ab/ab12…       the private file store (still encrypted with the data key)
    key/xinfang_data_key only with --include-key

The folder is built as ``.xinfang-backup-….partial`` beside the others and renamed when the
manifest is on disk, so a crash leaves a folder whose name says it is unfinished, never a
half backup that looks whole. Everything is created 0600 in 0700 folders.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from xinfang.ops.errors import OpsError

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
KEY = "key/xinfang_data_key"
PREFIX = "xinfang-backup-"
NAME_PATTERN = re.compile(r"xinfang-backup-\d{8}-\d{6}(-\d+)?")
PARTIAL_SUFFIX = ".partial"
STALE_PARTIAL_SECONDS = 24 * 3600
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    path: str  # relative, with forward slashes
    size: int
    sha256: str


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dir(path: Path) -> None:
    """Create ``path`` and any missing parents, each 0700 (mkdir's ``parents`` ignores the mode)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def hash_file(path: Path, relative: str) -> Entry:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Entry(relative, size, digest.hexdigest())


def copy_file(source: Path, target: Path) -> Entry:
    """Copy one file (0600), fsync it, and return its size and SHA-256."""
    make_dir(target.parent)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return Entry(target.name, size, digest.hexdigest())


def write_file(target: Path, content: bytes) -> None:
    make_dir(target.parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())


def walk(root: Path) -> list[Path]:
    """Regular files under ``root``, relative and sorted; a missing root has none."""
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            full = Path(folder, name)
            if full.is_file() and not full.is_symlink():
                found.append(full.relative_to(root))
    return found


def copy_tree(source: Path, target: Path, prefix: str = "") -> list[Entry]:
    """Copy every regular file under ``source``; a file removed meanwhile (the orphan sweep of
    ``xinfang remind``) is skipped: no row refers to it."""
    entries = []
    for relative in walk(source):
        try:
            entry = copy_file(source / relative, target / relative)
        except FileNotFoundError:
            continue
        entries.append(Entry(str(PurePosixPath(prefix, relative.as_posix())), entry.size, entry.sha256))
    for folder in sorted({p for p in target.rglob("*") if p.is_dir()}, reverse=True):
        fsync_dir(folder)
    if target.is_dir():
        fsync_dir(target)
    return entries


def new_name(into: Path, now: datetime.datetime) -> str:
    base = PREFIX + now.strftime("%Y%m%d-%H%M%S")
    name, n = base, 1
    while (into / name).exists() or (into / f".{name}{PARTIAL_SUFFIX}").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def write_manifest(folder: Path, manifest: dict) -> None:
    content = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    write_file(folder / MANIFEST, content + b"\n")
    fsync_dir(folder)


def finish(partial: Path, final: Path) -> None:
    """The rename that makes a backup whole, made durable."""
    os.rename(partial, final)
    fsync_dir(final.parent)


def _safe_relative(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise OpsError(f"备份目录 {folder} 不存在。")
    if folder.name.endswith(PARTIAL_SUFFIX) or not path.is_file():
        raise OpsError(
            f"{folder} 不是完整的备份：完整的备份有 {MANIFEST}，未完成的备份目录名以 .partial 结尾。"
        )
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise OpsError(f"{path} 已损坏，无法读取。") from exc
    if not isinstance(manifest, dict) or manifest.get("product") != "xinfang":
        raise OpsError(f"{path} 不是本平台的备份清单。")
    if manifest.get("format") != FORMAT:
        raise OpsError(f"备份格式版本 {manifest.get('format')} 不受支持（本程序支持 {FORMAT}）。")
    return manifest


def verify(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and SHA-256, and nothing else is."""
    problems = []
    listed = set()
    for item in manifest.get("files", []):
        path = item.get("path", "")
        if not _safe_relative(path):
            problems.append(f"清单中的路径不安全：{path!r}")
            continue
        listed.add(path)
        full = folder / path
        if not full.is_file():
            problems.append(f"缺少文件 {path}")
            continue
        entry = hash_file(full, path)
        if entry.size != item.get("size") or entry.sha256 != item.get("sha256"):
            problems.append(f"文件 {path} 与清单不符（大小或 SHA-256 不同）")
    extra = {p.as_posix() for p in walk(folder)} - listed - {MANIFEST}
    problems += [f"清单中没有的文件 {path}" for path in sorted(extra)]
    if problems:
        shown = "；".join(problems[:5]) + (f"；另有 {len(problems) - 5} 处" if len(problems) > 5 else "")
        raise OpsError(f"备份 {folder} 校验失败，未写入任何数据：{shown}。")


def backups_in(into: Path) -> list[Path]:
    """The finished backups in a folder, oldest first (their names sort by time)."""
    if not into.is_dir():
        return []
    return sorted(p for p in into.iterdir() if NAME_PATTERN.fullmatch(p.name) and (p / MANIFEST).is_file())


def rotate(into: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups, and unfinished ones older than a day."""
    if keep < 1:
        raise OpsError("--keep 至少为 1。")
    removed = backups_in(into)[:-keep]
    cutoff = time.time() - STALE_PARTIAL_SECONDS
    removed += [
        p
        for p in into.iterdir()
        if p.name.startswith("." + PREFIX) and p.name.endswith(PARTIAL_SUFFIX) and p.stat().st_mtime < cutoff
    ]
    for path in removed:
        shutil.rmtree(path)
    return removed
