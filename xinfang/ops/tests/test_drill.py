"""The restore drill, as the README asks county IT staff to run it, on both engines.

Demo data (cases in every status, with attachments, built by the real actions) → backup →
destroy → restore with a wrong key (refused, nothing left behind) → restore → every row of every
table and every stored file compared byte for byte with what was there before.

Everything runs through the ``xinfang`` command in child processes with their own data
directory; on PostgreSQL the test creates and drops its own database, named after the one in
DATABASE_URL. The PostgreSQL drill runs where DATABASE_URL names a PostgreSQL server (as in
``.ci/run``, where XINFANG_REQUIRE_POSTGRES=1 makes that mandatory) and is skipped otherwise.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import sqlite3
from pathlib import Path

import dj_database_url
import pytest

from xinfang.ops import archive
from xinfang.ops.tests.helpers import child_env, xinfang

AUDIT = "audit_auditentry"


def split_audit(rows: dict[str, list]) -> tuple[list, dict[str, list]]:
    """The audit log's rows, and everything else without the audit log's id counters (a backup
    and a restore each add one audit row after the snapshot)."""
    rest = {
        table: [row for row in found if AUDIT not in row] if table == "sqlite_sequence" else found
        for table, found in rows.items()
        if AUDIT not in table
    }
    return rows.get(AUDIT, []), rest


class Sqlite:
    name = "sqlite"

    def __init__(self, data_dir: Path):
        self.path = data_dir / "xinfang.sqlite3"
        self.env: dict[str, str] = {}

    def create(self) -> None:
        pass

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def rows(self) -> dict[str, list]:
        if not self.path.exists():
            return {}
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"'))) for n in names}  # noqa: S608
        finally:
            db.close()


class Postgres:
    name = "postgresql"

    def __init__(self, url: str, suffix: str):
        import psycopg

        self.psycopg = psycopg
        self.config = dj_database_url.parse(url)
        self.database = f"{self.config['NAME']}_drill_{suffix}"
        auth = self.config["USER"] + (f":{self.config['PASSWORD']}" if self.config.get("PASSWORD") else "")
        self.url = f"postgres://{auth}@{self.config['HOST']}:{self.config['PORT'] or 5432}/{self.database}"
        self.env = {"DATABASE_URL": self.url}

    def connect(self, database: str):
        c = self.config
        return self.psycopg.connect(
            host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], password=c["PASSWORD"] or None,
            dbname=database, autocommit=True,
        )  # fmt: skip

    def create(self) -> None:
        with self.connect(self.config["NAME"]) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{self.database}"')

    def drop(self) -> None:
        with self.connect(self.config["NAME"]) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def rows(self) -> dict[str, list]:
        with self.connect(self.database) as db:
            tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            found = {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}  # noqa: S608
            sequences = [
                r[0] for r in db.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ]
            for s in sequences:  # restored ids continue where they stopped
                query = f'SELECT last_value, is_called FROM "{s}"'  # noqa: S608
                found[f"sequence {s}"] = [repr(db.execute(query).fetchone())]
            return found


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        yield Sqlite(tmp_path / "data")
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the PostgreSQL drill needs DATABASE_URL=postgres://… (as in .ci/run)")
    engine = Postgres(url, f"{os.getpid()}")
    engine.create()
    yield engine
    engine.drop()


def files_of(store: Path) -> dict[str, bytes]:
    return {p.as_posix(): (store / p).read_bytes() for p in archive.walk(store)}


def run(*args: str, env: dict[str, str]) -> str:
    result = xinfang(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_drill_backup_destroy_restore_compare(engine, tmp_path):
    data_dir = tmp_path / "data"
    store = data_dir / "files"
    env = child_env(XINFANG_DATA_DIR=str(data_dir), **engine.env)

    # 1. Data: the demo, built by the real actions, attachments included.
    run("migrate", "--noinput", "-v0", env=env)
    run("demo", env=env)
    before_rows, before_files = engine.rows(), files_of(store)
    assert len(before_rows) > 20 and len(before_files) > 20
    assert len(before_rows["cases_case"]) > 20

    # 2. Back up; a restore over the live data is refused and changes nothing.
    run("backup", "-o", str(tmp_path / "backups"), env=env)
    [backup] = archive.backups_in(tmp_path / "backups")
    refused = xinfang("restore", str(backup), env=env)
    assert refused.returncode != 0 and "已有数据表" in refused.stderr
    audit_after_backup, rest_after_backup = split_audit(engine.rows())
    audit_before, rest_before = split_audit(before_rows)
    [backup_row] = [row for row in audit_after_backup if row not in audit_before]
    assert "'backup', 'backup'" in backup_row and backup.name in backup_row
    assert rest_after_backup == rest_before

    # 3. Destroy: the database and the files are gone; the data directory keeps only the keys.
    engine.drop()
    shutil.rmtree(store)
    engine.create()
    assert [p.name for p in data_dir.iterdir()] == ["secrets"]

    # 4. A wrong key is refused after the restore, and what was written is removed again.
    wrong = {**env, "XINFANG_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    refused = xinfang("restore", str(backup), env=wrong)
    assert refused.returncode != 0 and "数据密钥" in refused.stderr and "已撤销" in refused.stderr
    assert not any(engine.rows().values()) and not archive.walk(store)

    # 5. Restore and compare every row and every file.
    out = run("restore", str(backup), env=env)
    assert "已从" in out
    after_rows, after_files = engine.rows(), files_of(store)
    assert after_files == before_files
    audit_restored, rest_restored = split_audit(after_rows)
    assert rest_restored == rest_before
    [restore_row] = [row for row in audit_restored if backup.name in row]
    assert "'backup', 'backup'" in restore_row
    assert sorted([*audit_before, restore_row]) == audit_restored
