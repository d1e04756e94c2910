"""Checking the chain: which rows were changed, deleted or inserted, and whether the tail is cut.

The log is read once in ``seq`` order, in chunks, keeping only the row before: a few million
rows take seconds and little memory (figures in the README). What is found is said in Chinese
for the auditor, by ``seq`` (the 序号 column of the audit page), never by the rows' contents.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from xinfang.audit import chain
from xinfang.audit.models import AuditAnchor, AuditEntry

CHUNK = 5000
# Findings kept word for word; beyond that only counted (a rewritten log can break every row).
MAX_LISTED = 200
KINDS = {
    "changed": "内容被改动",
    "deleted": "记录被删除",
    "inserted": "记录被插入",
    "relinked": "链接断开",
    "truncated": "末尾被截断",
    "rewritten": "与锚点不符",
    "anchor_file": "锚点文件有误",
}


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    source: str  # where the auditor finds it, in Chinese


@dataclass
class Report:
    scope: str = "full"  # or "recent": from ``from_seq`` on (see ``verify``)
    from_seq: int = 1
    rows: int = 0
    head_seq: int = 0
    head_hash: str = chain.GENESIS
    anchors: int = 0
    seconds: float = 0.0
    counts: Counter = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def problems(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] += 1
        if len(self.findings) < MAX_LISTED:
            self.findings.append(message)

    def summary(self) -> str:
        if self.ok:
            return f"审计日志完整：核验 {self.rows} 条，链首第 {self.head_seq} 条，未发现改动、删除、插入或截断。"
        kinds = "，".join(f"{KINDS[kind]} {n} 处" for kind, n in sorted(self.counts.items()))
        return f"审计日志被篡改：核验 {self.rows} 条，发现问题 {self.problems} 处（{kinds}）。"


def anchors_in_table() -> list[Anchor]:
    return [
        Anchor(seq, digest, f"锚点表（{created:%Y-%m-%d %H:%M} 记录）")
        for seq, digest, created in AuditAnchor.objects.values_list("seq", "hash", "created_at")
    ]


ANCHOR_FORMAT = "xinfang-audit-anchor-v1"


def anchor_line(anchor: AuditAnchor) -> str:
    """One line of the anchor file: what ``read_anchor_file`` reads back."""
    return json.dumps(
        {
            "format": ANCHOR_FORMAT,
            "seq": anchor.seq,
            "hash": anchor.hash,
            "at": chain.canonical_at(anchor.head_at),
            "taken_at": chain.canonical_at(anchor.created_at),
        },
        ensure_ascii=True,
    )


def read_anchor_file(path: Path, report: Report) -> list[Anchor]:
    """One JSON object a line (what ``xinfang audit anchor -o`` appends); bad lines are findings."""
    anchors: list[Anchor] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        report.add("anchor_file", f"锚点文件 {path} 无法读取：{exc.__class__.__name__}。")
        return anchors
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            seq, digest = int(data["seq"]), str(data["hash"])
            if seq < 1 or len(digest) != 64:
                raise ValueError
        except (ValueError, TypeError, KeyError):
            report.add("anchor_file", f"锚点文件 {path.name} 第 {number} 行无法识别。")
            continue
        anchors.append(Anchor(seq, digest.lower(), f"锚点文件 {path.name} 第 {number} 行"))
    return anchors


def verify(
    *, anchors: Sequence[Anchor] = (), start: Anchor | None = None, report: Report | None = None
) -> Report:
    """Recompute the chain and compare it with ``anchors``.

    1. Each row's hash is recomputed from its fields: a difference is a changed row.
    2. ``seq`` must run 1, 2, 3…: a gap is a deleted row, a repeated number an inserted one.
    3. Each row's ``prev_hash`` must be the stored hash of the row before: otherwise a row
       before it was rewritten with a recomputed hash, or replaced.
    4. Each anchor's row must still be there with the anchor's hash: a missing tail is a
       cut-off log, another hash a history rewritten up to that row.

    With ``start`` (a row known good, e.g. the head at the last full verification), only the
    rows from there on are read: the check of what was written since, for the auditor's page.
    """
    walk = _Walk(report or Report(), anchors)
    began = time.monotonic()
    rows = AuditEntry.objects.order_by("seq", "id").values_list(*chain.FIELDS, "hash")
    if start is not None:
        walk.begin_at(start)
        rows = rows.filter(seq__gte=start.seq)
    # PostgreSQL streams from a server-side cursor inside a transaction (outside one, the
    # cursor is WITH HOLD and the whole result is copied first). On SQLite a transaction
    # would hold the write lock for the whole read; one SELECT in WAL mode reads one snapshot.
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        for row in _stream(rows):
            walk.step(row)
    walk.finish()
    walk.report.seconds = time.monotonic() - began
    return walk.report


def _stream(queryset):
    """The rows as the database driver gives them, without the ORM's conversion of every value
    (half the time of a long verification): the time as a datetime (naive UTC on SQLite), the
    detail as JSON text, the address as text."""
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK):
            yield from batch


class _Walk:
    """The state carried from one row to the next: the stored hash before, the seq expected."""

    def __init__(self, report: Report, anchors) -> None:
        self.report = report
        self.report.anchors = len(anchors)
        self.by_seq: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            self.by_seq.setdefault(anchor.seq, []).append(anchor)
        self.expected, self.prev_stored = 1, chain.GENESIS
        self.unlinked: int | None = None

    def begin_at(self, start: Anchor) -> None:
        # The start row's own link is not checked: the row before it is not read.
        self.report.scope, self.report.from_seq = "recent", start.seq
        self.expected = self.unlinked = start.seq
        self.by_seq.setdefault(start.seq, []).append(start)

    def step(self, row: tuple) -> None:
        report, seq, stored_prev, stored = self.report, row[0], row[10], row[11]
        detail = json.loads(row[9]) if isinstance(row[9], str) else row[9]
        report.rows += 1
        hashed = (*row[:9], detail, stored_prev)  # as stored, with the detail parsed
        if chain.digest(*hashed) != stored:
            report.add("changed", f"第 {seq} 条记录的内容与其哈希不符：该条被改动。")
        if seq < self.expected:
            report.add("inserted", f"第 {seq} 条出现不止一次：有记录被插入。")
            return
        if seq > self.expected:
            missing = (
                f"第 {self.expected} 条" if seq == self.expected + 1 else f"第 {self.expected}–{seq - 1} 条"
            )
            report.add("deleted", f"缺少{missing}：记录被删除。")
        elif stored_prev != self.prev_stored and seq != self.unlinked:
            report.add(
                "relinked",
                f"第 {seq} 条记下的前一条哈希与第 {seq - 1} 条不符："
                f"第 {seq - 1} 条被改写后重算了哈希，或被替换、插入。",
            )
        for anchor in self.by_seq.pop(seq, ()):
            if anchor.hash != stored:
                report.add("rewritten", f"第 {seq} 条的哈希与{anchor.source}不符：该条或其之前的记录被改写。")
        self.prev_stored, self.expected = stored, seq + 1
        report.head_seq, report.head_hash = seq, stored

    def finish(self) -> None:
        """Anchors whose row was never read: beyond the head, the tail is cut; else the row is gone."""
        head = self.report.head_seq
        now = f"日志现在只到第 {head} 条" if head else "日志现在一条记录也没有"
        for seq, left in sorted(self.by_seq.items()):
            for anchor in left:
                if seq > head:
                    self.report.add("truncated", f"{anchor.source}记有第 {seq} 条，{now}：末尾被截断。")
                else:
                    self.report.add("deleted", f"{anchor.source}记有的第 {seq} 条已不存在：记录被删除。")
