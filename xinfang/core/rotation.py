"""Re-encrypting stored data under the newest data key (``xinfang keys rotate``), and the data
migrations that encrypt a column that used to be plain.

A rotation, while the platform keeps serving:

1. Check the keyring against the database (``keys.verify_data_key``): the newest key is
   adopted, every key still used is configured.
2. For every model with encrypted columns (found by introspection, ``keys.encrypted_models``),
   walk the rows whose tokens are not all under the newest key, in primary-key order, one short
   transaction per batch: lock the batch (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write
   lock is taken at BEGIN), decrypt each stale value with the keyring, encrypt it under the
   newest key, recompute the keyed hashes made from it, and write it back only where the column
   still holds the token that was read (compare and set): a value edited meanwhile is never
   overwritten with stale plain text, and is taken up by the next pass.
3. Every private file under an older key is written again under the newest, atomically.

A crash or ``kill -9`` loses at most the batch in flight (its transaction rolls back; a file is
replaced whole or not at all). Running the rotation again continues where it stopped: what is
stale is read from the data itself, so there is no progress record to lose or to trust.
"""

# ruff: noqa: S608 - SQL over the quoted names of our own tables; values always go as parameters.

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from xinfang.core import crypto, keys

Report = Callable[[str], None]


@dataclass(frozen=True)
class Column:
    name: str  # the database column
    context: str  # what the token is bound to: app_label.Model.field
    hashes: tuple[tuple[str, str, Callable[[str], str]], ...] = ()  # (column, purpose, normalize)


@dataclass(frozen=True)
class Table:
    label: str
    name: str
    pk: str
    columns: tuple[Column, ...]


def table_of(entry: keys.EncryptedModel) -> Table:
    columns = []
    for f in entry.fields:
        hashes = tuple((h.column, h.purpose, h.normalize) for h in entry.hashes if h.source == f.name)
        columns.append(Column(f.column, f.crypto_context, hashes))
    return Table(entry.label, entry.table, entry.pk_column, tuple(columns))


def _stale_where(connection, table: Table, newest: crypto.DataKey, *, plain: bool) -> tuple[str, list]:
    """Rows with a value not under the newest key: a token of another key, or (``plain``) a value
    that is not a token at all."""
    quote = connection.ops.quote_name
    prefixes = crypto.token_prefixes(newest)
    marks = ", ".join(["%s"] * len(prefixes))
    parts, params = [], []
    for column in table.columns:
        col = quote(column.name)
        present = f"{col} <> ''" if plain else f"{col} LIKE %s"
        parts.append(f"({present} AND SUBSTR({col}, 1, 10) NOT IN ({marks}))")
        params += ([] if plain else [crypto.PREFIX + "%"]) + prefixes
    return " OR ".join(parts), params


def stale_count(table: Table, *, using: str = DEFAULT_DB_ALIAS, plain: bool = False) -> int:
    connection = connections[using]
    where, params = _stale_where(connection, table, crypto.current(), plain=plain)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table.name)} WHERE {where}", params)
        return cursor.fetchone()[0]


def _new_values(
    column: Column, value: str, newest: crypto.DataKey, *, plain: bool
) -> list[tuple[str, str]] | None:
    """The column's new token and hashes, or None when the value is already under the newest key
    (or, outside a data migration, is not a token: a rotation only re-encrypts)."""
    is_token = bool(value) and value.startswith(crypto.PREFIX)
    if not value or (not is_token and not plain) or crypto.token_key_id(value) == newest.id:
        return None
    text = crypto.decrypt_text(value, column.context) if is_token else value
    updates = [(column.name, crypto.encrypt_text(text, column.context, key=newest))]
    updates += [
        (name, crypto.lookup_hash(purpose, normalize(text), key=newest))
        for name, purpose, normalize in column.hashes
    ]
    return updates


def rewrite_batch(
    table: Table, *, after, limit: int, using: str = DEFAULT_DB_ALIAS, plain: bool = False
) -> tuple[object | None, int, int]:
    """One batch in one transaction: returns (last primary key seen or None when there are no
    more stale rows, rows rewritten, rows skipped because they changed meanwhile)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    newest = crypto.current()
    where, params = _stale_where(connection, table, newest, plain=plain)
    names = ", ".join(quote(c.name) for c in table.columns)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rewritten = skipped = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(table.pk)}, {names} FROM {quote(table.name)} "
            f"WHERE {quote(table.pk)} > %s AND ({where}) ORDER BY {quote(table.pk)} LIMIT %s{lock}",
            [after, *params, limit],
        )
        rows = cursor.fetchall()
        for pk, *values in rows:
            sets, expected = [], []
            for column, value in zip(table.columns, values, strict=True):
                updates = _new_values(column, value, newest, plain=plain)
                if updates is not None:
                    sets += updates
                    expected.append((column.name, value))
            if not sets:
                continue
            cursor.execute(
                f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(n)} = %s' for n, _ in sets)} "
                f"WHERE {quote(table.pk)} = %s AND {' AND '.join(f'{quote(n)} = %s' for n, _ in expected)}",
                [v for _, v in sets] + [pk] + [v for _, v in expected],
            )
            if cursor.rowcount == 1:
                rewritten += 1
            else:
                skipped += 1
    return (rows[-1][0] if rows else None), rewritten, skipped


def rewrite_table(
    table: Table,
    *,
    using: str = DEFAULT_DB_ALIAS,
    batch_size: int = 500,
    pause: float = 0.0,
    plain: bool = False,
    report: Report | None = None,
    title: str = "",
) -> int:
    """Every stale row of ``table`` under the newest key, batch by batch; a few passes, for rows
    that changed while they were read. Returns the number of rows rewritten."""
    total = 0
    for _ in range(3):
        todo = stale_count(table, using=using, plain=plain)
        if not todo:
            break
        after: object = 0
        done = 0
        while True:
            last, rewritten, _skipped = rewrite_batch(
                table, after=after, limit=batch_size, using=using, plain=plain
            )
            if last is None:
                break
            after, done = last, done + rewritten
            if report is not None:
                report(f"  {title or table.label}：{done} / {todo}")
            if pause:
                time.sleep(pause)
        total += done
    return total


@dataclass
class RotationResult:
    key_id: str
    rows: dict[str, int] = field(default_factory=dict)  # model label → rows rewritten
    files: int = 0
    missing_files: int = 0


def rotate(
    *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 500, pause: float = 0.0, report: Report | None = None
) -> RotationResult:
    """Bring every encrypted value, keyed hash and private file under the newest key (see the
    module's docstring). Safe to run again at any time; resumes after a crash."""
    keys.verify_data_key(using=using)
    result = RotationResult(key_id=crypto.current().hex_id)
    for entry in keys.encrypted_models():
        title = f"{entry.model._meta.verbose_name}（{entry.label}）"
        result.rows[entry.label] = rewrite_table(
            table_of(entry), using=using, batch_size=batch_size, pause=pause, report=report, title=title
        )
    result.files, result.missing_files = rotate_files(
        using=using, batch_size=batch_size, pause=pause, report=report
    )
    return result


def rotate_files(
    *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 500, pause: float = 0.0, report: Report | None = None
) -> tuple[int, int]:
    """Every private file under an older key, written again under the newest. Returns (files
    rewritten, files missing on disk)."""
    from xinfang.core import files
    from xinfang.core.models import StoredFile

    names = StoredFile.objects.using(using).order_by("pk").values_list("pk", "storage_name")
    todo = names.count()
    after, seen, rewritten, missing = 0, 0, 0, 0
    while True:
        batch = list(names.filter(pk__gt=after)[:batch_size])
        if not batch:
            break
        for _pk, storage_name in batch:
            if files.stored_key_id(storage_name) is None:
                missing += 1
            elif files.reencrypt(storage_name):
                rewritten += 1
        after, seen = batch[-1][0], seen + len(batch)
        if report is not None:
            report(f"  磁盘上的私有文件：{seen} / {todo}（重新加密 {rewritten} 个）")
        if pause:
            time.sleep(pause)
    return rewritten, missing


# --- data migrations ------------------------------------------------------------------------------


def column_encryption(table: Table):
    """The (reversible) operation of a migration that encrypts a column that used to be plain."""
    from django.db import migrations

    def forwards(apps, schema_editor) -> None:
        encrypt_column(schema_editor, table)

    def backwards(apps, schema_editor) -> None:
        decrypt_column(schema_editor, table)

    return migrations.RunPython(forwards, backwards)


def encrypt_column(schema_editor, table: Table, *, batch_size: int = 1000) -> int:
    """For a data migration: encrypt the plain values of a column that has just become encrypted
    (and fill its keyed hashes), under the newest key, after checking the key."""
    using = schema_editor.connection.alias
    keys.ensure_verified(using)
    done = 0
    after: object = 0
    while True:
        last, rewritten, _ = rewrite_batch(table, after=after, limit=batch_size, using=using, plain=True)
        if last is None:
            return done
        after, done = last, done + rewritten


def decrypt_column(schema_editor, table: Table) -> None:
    """The reverse of ``encrypt_column``: plain values again (hashes emptied)."""
    connection = schema_editor.connection
    keys.ensure_verified(connection.alias)
    quote = connection.ops.quote_name
    names = [c.name for c in table.columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(table.pk)}, {', '.join(quote(n) for n in names)} FROM {quote(table.name)}"
        )
        for pk, *values in cursor.fetchall():
            for column, value in zip(table.columns, values, strict=True):
                if value and value.startswith(crypto.PREFIX):
                    sets = [(column.name, crypto.decrypt_text(value, column.context))]
                    sets += [(name, "") for name, _, _ in column.hashes]
                    cursor.execute(
                        f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(n)} = %s' for n, _ in sets)} "
                        f"WHERE {quote(table.pk)} = %s",
                        [v for _, v in sets] + [pk],
                    )
