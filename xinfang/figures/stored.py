"""The counts of closed months, kept: a month over before today has its per-unit counts computed
once and stored (``MonthCounts``), and read back while they are current.

Current means: the month's ``MonthMark`` has not changed since. The database bumps the mark of
every (unit, month) whose facts a write touches, old and new values alike (triggers of migration
figures.0003), so a late entry, a rating, an import or an extension makes the month's kept counts
stale and they are computed again on the next request. The mark is read before the counts are
computed: a write committed in between leaves a newer mark and the counts are computed again
later, never kept as current when they are not.

A period is split (``split``) into its closed whole months, read from here, and the days left,
counted live; both sums give exactly the live figures (tests: figures/tests/test_stored.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, transaction

from xinfang.figures.models import MonthCounts, MonthMark
from xinfang.figures.periods import Period, add_months, month_end

# Changed whenever what a kept count means changes: counts kept under another revision are stale.
REVISION = 1

Counts = dict[str, Any]
Computer = Callable[[Sequence[int], Sequence[datetime.date]], dict[tuple[int, datetime.date], Counts]]


def split(
    period: Period, today: datetime.date
) -> tuple[list[datetime.date], list[tuple[datetime.date, datetime.date]]]:
    """The period's whole months that ended before ``today``, and the ranges of days (first,
    last) of the period outside them, to be counted live."""
    closed = [
        m for m in period.months if m >= period.start and month_end(m) <= period.end and month_end(m) < today
    ]
    live: list[tuple[datetime.date, datetime.date]] = []
    day = period.start
    for month in closed:
        if day < month:
            live.append((day, month - datetime.timedelta(days=1)))
        day = add_months(month, 1)
    if day <= period.end:
        live.append((day, period.end))
    return closed, live


_reading: ContextVar[dict[tuple[int, datetime.date], Counts] | None] = ContextVar("kept_months", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within it, each month's counts are read once: a page that sums the same months for its
    figures, its trend and its 形势 reads them once."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def month_counts(
    unit_ids: Sequence[int], months: Sequence[datetime.date], compute: Computer
) -> dict[tuple[int, datetime.date], Counts]:
    """The counts of each unit and closed month: kept ones where current, the others computed
    (``compute(unit ids, months)``) and kept. Two queries when all are current (none for months
    read already ``reading``)."""
    if not unit_ids or not months:
        return {}
    seen = _reading.get()
    if seen is None:
        return _month_counts(unit_ids, months, compute)
    missing = [m for m in months if any((u, m) not in seen for u in unit_ids)]
    if missing:
        seen.update(_month_counts(unit_ids, missing, compute))
    return {(u, m): seen[(u, m)] for u in unit_ids for m in months}


def _month_counts(
    unit_ids: Sequence[int], months: Sequence[datetime.date], compute: Computer
) -> dict[tuple[int, datetime.date], Counts]:
    marks = {
        (u, m): v
        for u, m, v in MonthMark.objects.filter(unit_id__in=unit_ids, month__in=months).values_list(
            "unit_id", "month", "version"
        )
    }
    result: dict[tuple[int, datetime.date], Counts] = {}
    for u, m, version, counts in MonthCounts.objects.filter(
        unit_id__in=unit_ids, month__in=months
    ).values_list("unit_id", "month", "version", "counts"):
        if version == marks.get((u, m), 0) and counts.get("revision") == REVISION:
            result[(u, m)] = counts
    stale = sorted({m for u in unit_ids for m in months if (u, m) not in result})
    if not stale:
        return result
    fresh = compute(unit_ids, stale)
    rows = []
    for u in unit_ids:
        for m in stale:
            counts = {**fresh.get((u, m), {}), "revision": REVISION}
            result[(u, m)] = counts
            rows.append(MonthCounts(unit_id=u, month=m, version=marks.get((u, m), 0), counts=counts))
    _keep(rows)
    return result


def _keep(rows: list[MonthCounts]) -> None:
    """Store the counts; a page that cannot write them (the database busy) shows them all the same."""
    try:
        with transaction.atomic():
            MonthCounts.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["unit_id", "month"],
                update_fields=["version", "counts", "computed_at"],
            )
    except DatabaseError:
        pass
