"""The data key: checked against the data already stored before anything is read or written
with it (defect: a replaced key used to start silently and write under itself).

``verify_data_key`` raises ``DataKeyError`` (a Chinese message naming XINFANG_DATA_KEY /
XINFANG_DATA_KEY_FILE) unless the configured keyring opens what the database holds:

1. Without a key (development, no key file): a key is generated into the data directory only
   when the database holds no encrypted value or file; otherwise refuse and say where the key
   was.
2. The key check table (``core.DataKeyCheck``) names every key that has encrypted data here,
   each with a value encrypted under it. A key named there but missing from the keyring is
   refused while values still use it (counted, files included); once none does, its row goes.
   Every configured key named there must open its value.
3. On an empty check table (a new database, or one from before the table existed) the stored
   tokens are counted by key id instead; every id found must be in the keyring. Then the
   newest key, and every configured key found, are written into the table ("adopted").
4. A newest key not yet in the table (a rotation begins) is adopted.

``ensure_verified`` runs this once per process, database and keyring; the model fields and the
file store call it before their first encrypt or decrypt, so nothing is ever written under an
unverified key. ``check_data_key`` (a Django system check: ``xinfang migrate``, ``runserver``,
``check`` and every data command) and ``verify_or_exit`` (the WSGI application) make a bad key
stop the platform at start instead of answering 500 on each page.
"""

# ruff: noqa: S608 - SQL over the quoted names of our own tables; values always go as parameters.

from __future__ import annotations

import base64
import os
import secrets
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models
from django.dispatch import receiver

from xinfang.core import crypto, keyring
from xinfang.core.keyring import DataKeyError

__all__ = [
    "DataKeyError",
    "EncryptedModel",
    "Usage",
    "check_data_key",
    "encrypted_models",
    "ensure_verified",
    "forget_verification",
    "generate_key",
    "usage",
    "verify_data_key",
    "verify_or_exit",
]

CANARY_CONTEXT = "core.DataKeyCheck.canary"
SETTINGS_NAMES = "XINFANG_DATA_KEY / XINFANG_DATA_KEY_FILE"

_verified: set[tuple] = set()
_generation = 0  # moves on whenever what was verified may no longer hold
_lock = threading.RLock()


# --- what holds encrypted data ---------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedModel:
    """A model with encrypted columns, found by introspection, and its keyed hashes."""

    model: type[models.Model]
    fields: tuple  # EncryptedTextField
    hashes: tuple  # KeyedHashField, each computed from one of ``fields``

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk_column(self) -> str:
        return self.model._meta.pk.column


def encrypted_models() -> list[EncryptedModel]:
    from django.apps import apps

    from xinfang.core.fields import EncryptedTextField, keyed_hash_fields

    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        fields = tuple(f for f in meta.local_concrete_fields if isinstance(f, EncryptedTextField))
        if fields:
            found.append(EncryptedModel(model, fields, tuple(keyed_hash_fields(model))))
    return found


@dataclass
class Usage:
    """How many stored values and files each key id encrypts."""

    values: Counter = field(default_factory=Counter)  # key id (hex) → values in the database
    files: Counter = field(default_factory=Counter)  # key id (hex) → private files
    by_model: dict[str, Counter] = field(default_factory=dict)  # model label → key id → values
    plain: int = 0  # values in encrypted columns that are not tokens (before a data migration)
    missing_files: int = 0

    def of(self, key_id: str) -> int:
        return self.values[key_id] + self.files[key_id]

    @property
    def key_ids(self) -> set[str]:
        return {k for k in (*self.values, *self.files) if self.of(k)}

    @property
    def empty(self) -> bool:
        return not self.key_ids


def _present_columns(connection, tables: set[str]) -> list[tuple[EncryptedModel, list[str]]]:
    """The encrypted columns that exist in the database now (during ``migrate`` the models may be
    ahead of the tables)."""
    present = []
    with connection.cursor() as cursor:
        for entry in encrypted_models():
            if entry.table in tables:
                existing = {
                    c.name for c in connection.introspection.get_table_description(cursor, entry.table)
                }
                columns = [f.column for f in entry.fields if f.column in existing]
                if columns:
                    present.append((entry, columns))
    return present


def usage(*, using: str = DEFAULT_DB_ALIAS, with_files: bool = True) -> Usage:
    """Count every stored token by the key id it carries: one grouped scan per encrypted column,
    and the first bytes of every private file. For ``keys status`` and the checks' slow path."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    return _usage(connection, tables, with_files=with_files)


def _usage(connection, tables: set[str], *, with_files: bool = True) -> Usage:
    result = Usage()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for entry, columns in _present_columns(connection, tables):
            per_model = result.by_model.setdefault(entry.label, Counter())
            for column in columns:
                col = quote(column)
                cursor.execute(
                    f"SELECT CASE WHEN {col} LIKE 'x1.%' THEN SUBSTR({col}, 4, 7) ELSE '' END, COUNT(*) "
                    f"FROM {quote(entry.table)} WHERE {col} IS NOT NULL AND {col} <> '' GROUP BY 1"
                )
                for prefix, count in cursor.fetchall():
                    key_id = crypto.prefix_key_id(prefix) if prefix else None
                    if key_id is None:
                        result.plain += count
                    else:
                        result.values[key_id.hex()] += count
                        per_model[key_id.hex()] += count
    if with_files:
        _count_files(connection, tables, result)
    return result


def _count_files(connection, tables: set[str], result: Usage) -> None:
    from xinfang.core import files
    from xinfang.core.models import StoredFile

    if StoredFile._meta.db_table not in tables:
        return
    names = StoredFile.objects.using(connection.alias).values_list("storage_name", flat=True)
    for name in names.iterator():
        key_id = files.stored_key_id(name)
        if key_id is None:
            result.missing_files += 1
        else:
            result.files[key_id.hex()] += 1


# --- the check ---------------------------------------------------------------------------------------


def _canary(key: crypto.DataKey) -> str:
    return f"xinfang data key {key.hex_id}"


def _adopt(using: str, adopted: list[crypto.DataKey]) -> None:
    from xinfang.core.models import DataKeyCheck

    DataKeyCheck.objects.using(using).bulk_create(
        [
            DataKeyCheck(key_id=k.hex_id, canary=crypto.encrypt_text(_canary(k), CANARY_CONTEXT, key=k))
            for k in adopted
        ],
        ignore_conflicts=True,
    )


def generate_key() -> str:
    """A new data key, base64: 32 random bytes."""
    return base64.b64encode(secrets.token_bytes(keyring.KEY_BYTES)).decode()


def _load_generated() -> None:
    """Another process (or an earlier test) may have generated the development key since the
    settings were read."""
    path = getattr(settings, "DATA_KEY_GENERATE_PATH", None)
    if not settings.DATA_KEY and path is not None and path.exists():
        configured = keyring.parse_key_file(path.read_text(encoding="utf-8"), str(path))
        settings.DATA_KEY, settings.DATA_OLD_KEYS = configured[0], tuple(configured[1:])
        forget_verification()


def _generate() -> None:
    path = getattr(settings, "DATA_KEY_GENERATE_PATH", None)
    if path is None:
        crypto.ring()  # raises the message that no key is configured
    assert path is not None  # ring() raised: no key, and none to generate
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(generate_key() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    _load_generated()


def _missing_message() -> str:
    return (
        "数据库中已有加密的个人信息，但找不到数据密钥：开发环境的数据密钥原来保存在 "
        f"{settings.DATA_KEY_GENERATE_PATH}，现在这个文件不见了（也可以用 XINFANG_DATA_KEY 或 "
        "XINFANG_DATA_KEY_FILE 指定密钥）。请把原来的密钥放回该文件后再启动。平台不会生成新的密钥："
        "用新密钥会使已有的数据无法读取。平台未启动，也未写入任何数据。"
    )


def _unknown_message(unknown: dict[str, int]) -> str:
    ids = "、".join(sorted(unknown))
    total = sum(unknown.values())
    return (
        f"配置的数据密钥（{SETTINGS_NAMES}，现为 {settings.DATA_KEY_SOURCE}）打不开数据库中已有的数据："
        f"{total} 项数据（含文件）使用编号为 {ids} 的密钥加密，而该密钥不在配置中。"
        "请检查配置的是否为原来的密钥。轮换密钥期间，旧密钥必须保留（XINFANG_DATA_KEY_OLD 或密钥文件的后几行），"
        "直到 `xinfang keys status` 显示可以删除。平台未启动，也未写入任何数据。"
    )


def _canary_message(key_id: str) -> str:
    return (
        f"编号为 {key_id} 的数据密钥打不开它在数据库中的校验值（{SETTINGS_NAMES}，现为 "
        f"{settings.DATA_KEY_SOURCE}）：配置的密钥有误，或密钥校验表 core_datakeycheck 被改动过。"
        "平台未启动，也未写入任何数据。"
    )


def _refuse_unknown(found: Usage, ring: tuple[crypto.DataKey, ...]) -> None:
    configured = {k.hex_id for k in ring}
    unknown = {kid: found.of(kid) for kid in found.key_ids if kid not in configured}
    if unknown:
        raise DataKeyError(_unknown_message(unknown))


def _check_rows(using: str, rows: list, ring: tuple[crypto.DataKey, ...], tables: set[str]) -> None:
    configured = {k.hex_id: k for k in ring}
    found = None
    for row in rows:
        key = configured.get(row.key_id)
        if key is None:
            found = found or _usage(connections[using], tables)
            if found.of(row.key_id):
                raise DataKeyError(_unknown_message({row.key_id: found.of(row.key_id)}))
            row.delete()  # the key has left the ring and nothing uses it any more
            continue
        try:
            opens = crypto.decrypt_text(row.canary, CANARY_CONTEXT, key=key) == _canary(key)
        except crypto.DecryptionError:
            opens = False
        if not opens:
            raise DataKeyError(_canary_message(row.key_id))
    if ring[0].hex_id not in {row.key_id for row in rows}:
        _adopt(using, [ring[0]])


def _state(using: str) -> tuple:
    """What a verification holds for: the database and the keyring (cheap: read per value)."""
    return (settings.DATABASES[using]["NAME"], settings.DATA_KEY, tuple(settings.DATA_OLD_KEYS))


def verify_data_key(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise DataKeyError unless the configured keyring opens the data already stored (see the
    module's docstring). Cheap when the key check table is filled: a few rows, one decryption each."""
    from xinfang.core.models import DataKeyCheck

    with _lock:
        connection = connections[using]
        tables = set(connection.introspection.table_names())
        has_checks = DataKeyCheck._meta.db_table in tables
        rows = list(DataKeyCheck.objects.using(using).order_by("adopted_at", "pk")) if has_checks else []
        _load_generated()
        found = None
        if not settings.DATA_KEY:
            found = _usage(connection, tables)
            if not found.empty:  # a check row alone (a key that never encrypted data) is no data
                raise DataKeyError(_missing_message())
            _generate()
        ring = crypto.ring()
        if rows:
            _check_rows(using, rows, ring, tables)
        else:
            found = found or _usage(connection, tables)
            _refuse_unknown(found, ring)
            if not has_checks:
                return  # before the key check migration: checked, nothing to adopt yet
            _adopt(using, [k for k in ring if k is ring[0] or k.hex_id in found.key_ids])
        _verified.add(_state(using))


def ensure_verified(using: str = DEFAULT_DB_ALIAS, connection=None) -> None:
    """``verify_data_key`` once per process, database and keyring. With the ``connection`` (the
    fields' reads pass theirs) the answer is also kept on the connection: read per value, it
    costs an attribute look-up."""
    if connection is not None and getattr(connection, "xinfang_key_checked", None) == _generation:
        return
    generation = _generation
    if not (settings.DATA_KEY and _state(using) in _verified):
        verify_data_key(using=using)
    if connection is not None:
        connection.xinfang_key_checked = generation


def forget_verification(**kwargs) -> None:
    """Check again at the next use: the key settings changed (tests), or the tables were emptied."""
    global _generation
    with _lock:
        _verified.clear()
        _generation += 1


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs) -> None:
    if setting in {"DATA_KEY", "DATA_OLD_KEYS", "DATABASES"}:
        forget_verification()


# --- at start ----------------------------------------------------------------------------------------


def check_data_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The Django system check: ``xinfang migrate``, ``runserver``, ``check`` and the data commands
    stop with the message before they serve or change anything."""
    try:
        verify_data_key()
    except DataKeyError as exc:
        return [checks.Error(str(exc), id="xinfang.E001")]
    except DatabaseError:
        return []  # no database to check yet: `migrate` says so itself, the first use checks again
    return []


def verify_or_exit(factory: Callable[[], Any], stream=None) -> Any:
    """For the WSGI application: ``factory()`` (which reads the settings), then the check. On a bad
    key print the message and exit with gunicorn's "application failed to load" status (4), so its
    arbiter stops instead of starting workers that would answer 500 on every page."""
    try:
        application = factory()
        verify_data_key()
    except DataKeyError as exc:
        (stream or sys.stderr).write(f"{exc}\n")
        raise SystemExit(4) from None
    except DatabaseError:
        pass  # the database may come up later; the first use checks again
    return application
