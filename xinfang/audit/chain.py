"""The hash chain of the audit log: what one row's hash is computed from.

Each row's ``hash`` is SHA-256 over a canonical text of its fields and the previous row's
hash (``prev_hash``); the first row follows ``GENESIS``. Changing, removing or inserting a
row therefore breaks the chain at that point, and ``xinfang audit verify`` finds it.

The canonical text is part of the log's format: rows written years ago are checked with it.
Never change ``digest`` for existing rows; a new format needs a new ``FORMAT`` tag and a
migration that says from which ``seq`` on it applies.

This module imports no models, so the migration that chains old rows uses it as it is.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import ipaddress
import json
from typing import Any

FORMAT = "xinfang-audit-v1"
GENESIS = "0" * 64
# The lock every writer of the chain takes (PostgreSQL; SQLite writers queue anyway).
LOCK = "audit-chain"
# Columns of a row in the order ``digest`` takes them (``values_list`` of the model).
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "ip",
    "path",
    "detail",
    "prev_hash",
)


_ENCODER = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def canonical_at(value: datetime.datetime | str) -> str:
    """UTC, always with microseconds: both databases give the stored instant back exactly,
    but not in the same time zone or text. A naive time (SQLite's, read without the ORM) is UTC."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.utcoffset():
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@functools.lru_cache(maxsize=4096)
def canonical_ip(value: str | None) -> str | None:
    """The address in full form: PostgreSQL's ``inet`` and Python may spell one IPv6
    address differently (``::ffff:1.2.3.4``)."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).exploded
    except ValueError:
        return "raw:" + value


def plain(value: Any) -> Any:
    """The detail as both databases give it back: string keys, lists for tuples, and an
    integral float too large for a decimal point (``1e+16``) as the integer PostgreSQL's jsonb
    returns. ``record`` stores the detail so; ``digest`` takes it so (what a database returns
    already is)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, float) and value.is_integer() and "e" in repr(value):
        return int(value)
    return value


def digest(
    seq: int,
    at: datetime.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target_type: str,
    target_id: str,
    ip: str | None,
    path: str,
    detail: Any,
    prev_hash: str,
) -> str:
    """The row's hash: SHA-256 (hex) of one JSON array, keys sorted, ASCII only."""
    text = _ENCODER.encode(
        [
            FORMAT,
            seq,
            canonical_at(at),
            actor_id,
            actor_name,
            str(action),
            target_type,
            target_id,
            canonical_ip(ip),
            path,
            detail,
            prev_hash,
        ]
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()
