"""Rewriting the database so that erased values leave its files.

An UPDATE does not remove the old value from disk: SQLite leaves it in the page's free space, in
free pages and in the write-ahead log; PostgreSQL keeps the old row version (a dead tuple) in the
table, its TOAST table and its indexes until the space is reused. So after erasing:

- **SQLite**: ``VACUUM`` writes a new database file holding only live rows; in WAL mode it goes
  through the log like any write, and ``PRAGMA wal_checkpoint(TRUNCATE)`` then copies the log
  into the file and empties it. A connection still reading (another process of the platform)
  keeps the log from being emptied: the run says so, and ``xinfang retention --compact`` does it
  again later. The ``-shm`` file holds only the log's index, never row content.
- **PostgreSQL**: ``VACUUM (FULL)`` of every table erasing writes to: each is copied into new
  files (table, TOAST and indexes) and the old files are deleted. It locks each table for the
  seconds the copy takes. Only the tables' owner (or a superuser) may do it: where the platform
  runs as a role that does not own them (``deploy/postgresql-roles.sql``), the run says so and
  the owner runs ``xinfang retention --compact``. ``VACUUM FULL`` copies a row version that a
  snapshot still open in the same database may see (a long report, an autovacuum ANALYZE that
  began before the erasing committed), and its own snapshot starts at the oldest transaction
  still running on the server, in any database: so it first waits, up to ``WAIT_SECONDS``, until
  every such snapshot and transaction began after the erasing (``pg_stat_activity``'s
  ``backend_xmin`` and ``backend_xid``, which every role may read), and says so when one did not. The server's write-ahead log (``pg_wal``) still
  holds the old values until its segments are recycled after the next checkpoints, and WAL
  archives and earlier backups hold them until they are deleted (see the README).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

from xinfang.cases.models import Case, CaseEvent, CaseFile, FollowUp, Petitioner
from xinfang.core.models import StoredFile
from xinfang.oversight.models import RiskReport
from xinfang.public.models import LookupAttempt
from xinfang.ratings.models import FeedbackForm, Rating

# Every table erasing writes to or deletes from.
TOUCHED = (
    Petitioner,
    Case,
    CaseEvent,
    FollowUp,
    CaseFile,
    StoredFile,
    Rating,
    FeedbackForm,
    RiskReport,
    LookupAttempt,
)


WAIT_SECONDS = 60
# The first transaction id not yet given out: every erasing transaction committed is below it.
MARK = "SELECT mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, 4294967296)"
# What would keep VACUUM FULL from dropping an erased row version: a session of this database
# whose snapshot is older than the mark, or a transaction anywhere on the server that was given
# its id before the mark (VACUUM FULL's own snapshot starts at the oldest id still running, in
# any database). 32-bit ids, as pg_stat_activity shows them; right after a wraparound this says
# none, and nothing waits.
OLDER = (
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND ("
    "(datname = current_database() AND backend_xmin IS NOT NULL AND backend_xmin::text::bigint < %s) "
    "OR (backend_xid IS NOT NULL AND backend_xid::text::bigint < %s))"
)


@dataclass(frozen=True)
class Compaction:
    done: bool
    message: str


def tables() -> list[str]:
    return [model._meta.db_table for model in TOUCHED]


def compact(using: str = DEFAULT_DB_ALIAS) -> Compaction:
    connection = connections[using]
    if connection.in_atomic_block:
        return Compaction(False, "在事务中，未整理数据库文件。")
    if connection.vendor == "sqlite":
        return _sqlite(connection)
    if connection.vendor == "postgresql":
        return _postgresql(connection)
    return Compaction(False, f"不支持整理 {connection.vendor} 数据库。")


def _sqlite(connection) -> Compaction:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = cursor.fetchone()[0]
    if busy:
        return Compaction(
            False,
            "已重写数据库文件（VACUUM），但预写日志仍被其他连接占用、未能清空；"
            "请稍后运行 xinfang retention --compact。",
        )
    return Compaction(True, "已重写数据库文件（VACUUM）并清空预写日志。")


def _postgresql(connection) -> Compaction:
    names = tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) AND c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace "
            "AND NOT pg_has_role(current_user, c.relowner, 'USAGE')",
            [names],
        )
        not_ours = [row[0] for row in cursor.fetchall()]
        if not_ours:
            return Compaction(
                False,
                "当前数据库用户不是有关数据表的所有者，未能重写（VACUUM FULL）："
                "请由数据表所有者运行 xinfang retention --compact。",
            )
        settled = _wait_for_older_snapshots(cursor)
        for name in names:
            cursor.execute(f"VACUUM (FULL, ANALYZE) {quote(name)}")
    if not settled:
        return Compaction(
            False,
            f"已重写 {len(names)} 张数据表及其索引（VACUUM FULL），但有其他会话的查询在删除之前开始、"
            f"{WAIT_SECONDS}秒内未结束，旧数据可能仍被保留；请稍后运行 xinfang retention --compact。",
        )
    return Compaction(True, f"已重写 {len(names)} 张数据表及其索引（VACUUM FULL）。")


def _wait_for_older_snapshots(cursor, *, seconds: float | None = None) -> bool:
    """Wait until nothing that began before now holds the erased row versions (see ``OLDER``);
    False if something still does after ``seconds`` (default ``WAIT_SECONDS``, read when called)."""
    cursor.execute(MARK)
    mark = cursor.fetchone()[0]
    deadline = time.monotonic() + (WAIT_SECONDS if seconds is None else seconds)
    while True:
        cursor.execute(OLDER, [mark, mark])
        if not cursor.fetchone()[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
