"""The database part of a backup and a restore, per engine.

SQLite: SQLite's online backup API copies a consistent snapshot while the platform writes
(WAL readers never block the writer); a restore places the copy as the database file.
PostgreSQL: ``pg_dump`` (custom format, one consistent snapshot) and ``pg_restore`` in a single
transaction. Connection parameters come from DATABASE_URL and reach the tools through the
``PG*`` environment variables, so a password never shows in the process list.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from xinfang.ops import archive
from xinfang.ops.errors import OpsError

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
# Everything outside the system schemas: (kind, quoted name). Run without parameters, so the
# % signs are SQL's own.
PG_OBJECTS = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
       WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
       format('%I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
"""


def vendor() -> str:
    return connection.vendor


def database_file() -> str:
    return SQLITE_FILE if vendor() == "sqlite" else PG_FILE


# ── SQLite ──────────────────────────────────────────────────────────────────────────────────


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_dump(target: Path) -> None:
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        # A self-contained file: no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    os.chmod(target, 0o600)


def _sqlite_tables(path: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return -1  # not an SQLite file: certainly not empty


def _sqlite_remove(path: Path) -> None:
    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sqlite_load(source: Path) -> None:
    path = _sqlite_path()
    archive.make_dir(path.parent)
    temporary = path.with_name(f".{path.name}.restoring")
    temporary.unlink(missing_ok=True)
    archive.copy_file(source, temporary)
    _sqlite_remove(path)  # an empty file (checked before), with its WAL files
    os.replace(temporary, path)
    archive.fsync_dir(path.parent)


# ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────


def _pg_environment() -> dict[str, str]:
    db: Mapping[str, Any] = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    options = db.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _major(version: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)*", version)
    return int(match.group(1)) if match else 0


def _tool(name: str) -> tuple[str, str]:
    """The tool's path and version; a clear message if it is missing."""
    path = shutil.which(name)
    if path is None:
        raise OpsError(
            f"找不到 {name}：请安装与数据库服务器主版本相同或更新的 PostgreSQL 客户端"
            f"（Debian 12：apt install postgresql-client）。"
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"\d+(?:\.\d+)+|\d+", output)
    return path, (match.group(0) if match else "")


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-3:]
        raise OpsError(f"{what}失败（退出码 {result.returncode}）：" + " ".join(detail))


def _pg_dump(target: Path) -> dict:
    path, version = _tool("pg_dump")
    server = server_version()
    if _major(version) < _major(server):
        raise OpsError(
            f"pg_dump 版本 {version} 低于数据库服务器版本 {server}：请安装 PostgreSQL {_major(server)} "
            f"或更新的客户端（apt install postgresql-client-{_major(server)}）。"
        )
    _run([path, "--format=custom", "--no-password", f"--file={target}"], "pg_dump 备份")
    os.chmod(target, 0o600)
    return {"pg_dump": version, "server": server}


def _pg_objects() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(PG_OBJECTS)
        return cursor.fetchall()


def _pg_load(source: Path, *, no_owner: bool) -> None:
    path, version = _tool("pg_restore")
    command = [path, "--exit-on-error", "--single-transaction", "--no-password"]
    command += ["--no-owner"] if no_owner else []
    _run([*command, f"--dbname={settings.DATABASES['default']['NAME']}", str(source)], "pg_restore 恢复")


def _pg_wipe() -> None:
    """Drop what a failed restore wrote; the database was empty before it."""
    order = {"VIEW": 0, "MATERIALIZED VIEW": 0, "TABLE": 1, "SEQUENCE": 2, "FUNCTION": 3}
    with transaction.atomic():
        # Tables first: an identity column's sequence goes with its table, never alone.
        for kind, name in sorted(_pg_objects(), key=lambda item: order[item[0]]):
            with connection.cursor() as cursor:
                # Names come from the catalog, quoted by format('%I') and regprocedure.
                cursor.execute(f"DROP {kind} IF EXISTS {name} CASCADE")


# ── Either engine ───────────────────────────────────────────────────────────────────────────


def dump(folder: Path) -> dict:
    """Write the database into the backup folder; returns what the manifest records of it."""
    target = folder / database_file()
    if vendor() == "sqlite":
        _sqlite_dump(target)
        return {"sqlite": sqlite3.sqlite_version}
    if vendor() == "postgresql":
        return _pg_dump(target)
    raise OpsError(f"不支持的数据库：{vendor()}。")


def sqlite_migrations(path: Path) -> list[list[str]]:
    """The migrations recorded in a copied SQLite file (the snapshot's own state)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [list(row) for row in db.execute("SELECT app, name FROM django_migrations ORDER BY id")]
    finally:
        db.close()


def is_empty() -> bool:
    if vendor() == "sqlite":
        path = _sqlite_path()
        return not path.exists() or _sqlite_tables(path) == 0
    return not _pg_objects()


def target_name() -> str:
    db = settings.DATABASES["default"]
    return str(db["NAME"]) if vendor() == "sqlite" else f"PostgreSQL 数据库 {db['NAME']}"


def load(folder: Path, *, no_owner: bool = False) -> None:
    if vendor() == "sqlite":
        _sqlite_load(folder / SQLITE_FILE)
    else:
        _pg_load(folder / PG_FILE, no_owner=no_owner)


def wipe() -> None:
    if vendor() == "sqlite":
        _sqlite_remove(_sqlite_path())
    else:
        _pg_wipe()
