"""What operations read: the health of the running platform and the schema's migration state."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from xinfang.core.keys import DataKeyError, verify_data_key

logger = logging.getLogger(__name__)

Migration = tuple[str, str]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


@cache
def code_migrations() -> frozenset[Migration]:
    """Every migration this version of the program knows (read from disk once per process)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def applied_migrations() -> frozenset[Migration]:
    """The migrations recorded in the database (one query)."""
    return frozenset(MigrationRecorder(connection).applied_migrations())


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("healthz: database unreachable: %s", type(exc).__name__)
        return Check("database", False, "数据库无法连接")
    return Check("database", True, "数据库可以连接")


def _migrations() -> Check:
    missing = code_migrations() - applied_migrations()
    if missing:
        return Check("migrations", False, f"有 {len(missing)} 个数据库迁移尚未执行（xinfang migrate）")
    return Check("migrations", True, "数据库结构是最新的")


def _data_key() -> Check:
    try:
        verify_data_key()
    except DataKeyError:
        return Check("data_key", False, "数据密钥无法解开已存储的数据")
    return Check("data_key", True, "数据密钥可以解开已存储的数据")


def _disk() -> Check:
    try:
        free_mb = shutil.disk_usage(settings.DATA_DIR).free // (1024 * 1024)
    except OSError:
        return Check("disk", False, "无法读取数据目录（XINFANG_DATA_DIR）所在的磁盘")
    minimum = settings.HEALTHZ_MIN_FREE_MB
    text = f"数据目录所在磁盘剩余 {free_mb} MB（下限 {minimum} MB）"
    return Check("disk", free_mb >= minimum, text)


def health() -> list[Check]:
    """The checks behind /healthz, cheapest first. Without a database the checks that need it
    are reported as not run rather than as a second, misleading failure."""
    checks = [_disk(), _database()]
    if not checks[-1].ok:
        return checks + [Check(name, False, "未检查：数据库无法连接") for name in ("migrations", "data_key")]
    for check in (_migrations, _data_key):
        try:
            checks.append(check())
        except DatabaseError as exc:
            logger.warning("healthz: %s failed: %s", check.__name__, type(exc).__name__)
            checks.append(Check(check.__name__.strip("_"), False, "检查时数据库出错"))
    return checks
