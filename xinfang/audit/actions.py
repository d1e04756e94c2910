"""Writing to the audit log. Every caller names what happened; no personal values go in.

``record`` appends one row to the hash chain (see ``chain.py``); ``verify_log`` and
``take_anchor`` are the auditor's two actions on the chain itself.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from xinfang.access import rules
from xinfang.audit import chain, integrity, selectors
from xinfang.audit.models import AuditAction, AuditAnchor, AuditEntry
from xinfang.core import locks
from xinfang.core.errors import DomainError


def client_ip(request) -> str | None:
    """The client's address; behind a reverse proxy, the header that proxy sets (configured)."""
    if request is None:
        return None
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        # The proxy appends the address it saw last: that is the one it vouches for.
        candidate = request.META[header].split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


def _safe(value: Any) -> Any:
    """What callers pass may come from a request as typed: control characters (NUL above all,
    which PostgreSQL refuses in text and jsonb) become U+FFFD, so a hostile value is logged,
    not a 500."""
    if isinstance(value, str):
        return "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in value)
    if isinstance(value, dict):
        return {_safe(str(key)): _safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(item) for item in value]
    return value


def record(
    action: AuditAction | str,
    *,
    by=None,
    request=None,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    actor_name: str = "",
    **detail: Any,
) -> AuditEntry:
    if by is None and request is not None and getattr(request, "user", None) is not None:
        by = request.user if request.user.is_authenticated else None
    if target is not None:
        target_type = target_type or target._meta.label
        target_id = target_id or target.pk
    entry = AuditEntry(
        actor=by,
        actor_name=_safe(actor_name or (by.get_username() if by is not None else ""))[:150],
        action=str(action),
        target_type=_safe(target_type)[:40],
        target_id=_safe(str(target_id))[:40],
        ip=client_ip(request),
        path=(_safe(request.path)[:200] if request is not None else ""),
        detail=chain.plain(_safe(detail)),
    )
    _append(entry)
    return entry


HEAD_SQL = f"SELECT seq, hash FROM {AuditEntry._meta.db_table} ORDER BY seq DESC LIMIT 1"  # noqa: S608


def _append(entry: AuditEntry) -> None:
    """Link ``entry`` to the committed head and insert it, one writer at a time.

    1. Inside the caller's transaction if there is one (no savepoint: nothing to undo apart),
       else in a transaction of its own.
    2. Take the chain's lock: PostgreSQL's advisory lock until commit; SQLite's writers
       already hold the database's write lock from BEGIN IMMEDIATE.
    3. Read the head under the lock: it is the last committed row, so ``seq`` has no gap. When
       the caller's transaction rolls back later, its row and its ``seq`` go with it and the
       next row takes that ``seq``: nothing for ``verify`` to report.
    4. Hash and insert. The unique ``seq`` turns any writer that bypassed the lock into an
       error instead of a fork.
    """
    with transaction.atomic(savepoint=False):
        locks.serialize(chain.LOCK)
        # Plain SQL: the ORM would spend more time building this query than the database
        # answering it (through the unique index on seq).
        with connection.cursor() as cursor:
            cursor.execute(HEAD_SQL)
            head = cursor.fetchone()
        entry.seq, entry.prev_hash = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
        entry.at = timezone.now()
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)


def refuse(request, *, target_type: str, target_id) -> Http404:
    """Log a refused access and return the 404 to raise: what one may not see looks like nothing."""
    record(AuditAction.ACCESS_DENIED, request=request, target_type=target_type, target_id=target_id)
    return Http404("没有找到该页面或事项，或您无权查看。")


class AuditError(DomainError):
    """The log cannot be verified or anchored as asked; the message says why."""


def _check_auditor(by, request=None) -> None:
    """The table decides (``verify_audit``); ``by`` None is the command line or its daily timer,
    run by whoever runs the server."""
    if by is not None:
        rules.check(by, "verify_audit", request=request, target_type="audit_log")


def verify_log(
    *, by=None, request=None, anchor_files=(), recent_only: bool = False, via: str = "command"
) -> integrity.Report:
    """Verify the chain against every anchor in the table and in ``anchor_files``; log the result.

    ``by`` is the auditor (None: the command line or its daily timer). ``recent_only`` (the
    page, on a long log) checks the rows written since the last full verification that found
    nothing, starting from its head; it refuses when there was none. The read runs outside a
    transaction of its own (on SQLite that would hold the write lock for the whole read); the
    one row it writes is ``record``'s own transaction.
    """
    _check_auditor(by, request)
    report = integrity.Report()
    anchors = integrity.anchors_in_table()
    for path in anchor_files:
        anchors += integrity.read_anchor_file(path, report)
    start = None
    if recent_only:
        start = selectors.last_full_head()
        if start is None:
            raise AuditError(
                "日志记录较多，页面上只核验上次完整核验之后的记录，而日志还没有完整核验过。"
                "请在服务器上运行 xinfang audit verify（每日定时任务也会运行）。"
            )
    integrity.verify(anchors=anchors, start=start, report=report)
    record(
        AuditAction.VERIFY,
        by=by,
        request=request,
        target_type="audit_log",
        via=via,
        result="ok" if report.ok else "tampered",
        scope=report.scope,
        from_seq=report.from_seq,
        rows=report.rows,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        anchors=report.anchors,
        problems=report.problems,
        counts=dict(report.counts),
        findings=report.findings[:20],
        seconds=round(report.seconds, 3),
    )
    return report


def export_log(*, by, request=None, filters: dict[str, Any]):
    """The rows the auditor exports (``export_audit``), with the export itself logged first:
    the filters (days as ISO dates) and how many rows go out."""
    rules.check(by, "export_audit", request=request, target_type="audit_log")
    entries = selectors.audit_entries(**filters)
    count = entries.count()
    record(
        AuditAction.EXPORT,
        by=by,
        request=request,
        target_type="audit_log",
        format="xlsx",
        rows=count,
        filters={
            key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in filters.items()
        },
    )
    return entries


def take_anchor(*, by=None, request=None) -> AuditAnchor:
    """Write down the head of the chain (seq, hash, time) in the anchor table, and log it.

    The auditor also keeps it outside the server (the page's download, or ``xinfang audit
    anchor -o FILE``): that copy is the one a tamperer cannot reach.
    """
    _check_auditor(by, request)
    with transaction.atomic():
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash", "at").first()
        if head is None:
            raise AuditError("审计日志还没有记录，无法记录锚点。")
        anchor = AuditAnchor.objects.create(
            seq=head[0],
            hash=head[1],
            head_at=head[2],
            created_by=by,
            created_by_name=by.get_username() if by is not None else "",
        )
        record(AuditAction.ANCHOR, by=by, request=request, target=anchor, seq=anchor.seq, hash=anchor.hash)
    return anchor
