"""A published month: the dashboard shows the figures as they were frozen, and what changed since.

``stored_month`` gives everything the dashboard shows of the month from the publication alone
(the rows, the county row, and, for months published since they are kept, the twelve months'
trend and the 形势, ``series``), without reading a case; ``frozen_month`` compares the frozen
figures with live ones, which the dashboard computes only when asked.

Who freezes a month is the bulletins app (通报), which sits above the figures and reads them: the
figures never import it. When it starts it registers here how to find a month's publication
(``register``, from ``BulletinsConfig.ready``): a function of the month's first day returning
the publication in force or None. A publication has ``figures`` (the JSON form of
``rows.figures_json``), ``pk``, ``issue_number`` and ``published_at``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xinfang.figures import series
from xinfang.figures.periods import MONTH, Period
from xinfang.figures.rows import Difference, UnitFigures, compare, figures_json
from xinfang.oversight.selectors import report_counts

_published: Callable[[datetime.date], Any | None] | None = None


def register(published: Callable[[datetime.date], Any | None]) -> None:
    global _published
    _published = published


def published(period: Period) -> Any | None:
    """The publication in force for the period, when the period is one month and one exists."""
    if period.kind != MONTH or _published is None:
        return None
    return _published(period.start)


@dataclass
class FrozenMonth:
    bulletin: Any  # the publication: figures, pk, issue_number, published_at
    rows: list[UnitFigures]
    total: UnitFigures | None
    differences: list[Difference]


@dataclass
class StoredMonth:
    bulletin: Any  # the publication: figures, pk, issue_number, published_at
    rows: list[UnitFigures]
    total: UnitFigures | None
    # None where the month was published before they were kept: the dashboard counts them live.
    trend: list[series.MonthPoint] | None
    situation: dict[str, list[series.Change]] | None
    differences: list[Difference] | None = None  # None: not compared (see ``frozen_month``)


def stored_month(period: Period, unit_ids: Sequence[int], *, county: bool) -> StoredMonth | None:
    """When the period is exactly one published month, the figures of the units ``unit_ids`` as
    published, summed by the same code as the live ones (``series.fold_*``), and the county row
    for those who see it. One query (the publication)."""
    bulletin = published(period)
    if bulletin is None:
        return None
    frozen = bulletin.figures
    wanted = set(unit_ids)
    kept = frozen.get("series")
    return StoredMonth(
        bulletin,
        rows=[UnitFigures.from_json(row) for row in frozen["units"] if row["unit_id"] in wanted],
        total=UnitFigures.from_json(frozen["county"]) if county else None,
        trend=series.fold_trend(kept["trend"], unit_ids) if kept else None,
        situation=series.fold_situation(kept["situation"], unit_ids) if kept else None,
    )


def frozen_month(
    period: Period,
    live: Sequence[UnitFigures],
    *,
    county: bool,
    online_target: int | None = None,
    bulletin: Any | None = None,
) -> FrozenMonth | None:
    """For the dashboard: when the period is exactly one published month, the frozen rows of the
    units in ``live`` (the figures the dashboard has just computed for them), the county row
    for those who see it, and how ``live`` differs from what was frozen. The live figures are
    not computed again: only the month's risk reports are counted (one query). ``online_target``:
    the county's 网上投诉占比 target the live county row is judged against; ``bulletin``: the
    publication, when the caller has it already."""
    bulletin = bulletin or published(period)
    if bulletin is None:
        return None
    ids = {row.unit.pk for row in live if row.unit is not None}
    frozen = bulletin.figures
    rows = [UnitFigures.from_json(row) for row in frozen["units"] if row["unit_id"] in ids]
    total = UnitFigures.from_json(frozen["county"]) if county else None
    now = figures_json(live, report_counts(period.start, period.end), online_target=online_target)
    return FrozenMonth(bulletin, rows, total, compare(frozen, now, unit_ids=ids, county=county))
