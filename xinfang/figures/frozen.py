"""A published month: the dashboard shows the figures as they were frozen, and what changed since.

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


def frozen_month(
    period: Period, live: Sequence[UnitFigures], *, county: bool, online_target: int | None = None
) -> FrozenMonth | None:
    """For the dashboard: when the period is exactly one published month, the frozen rows of the
    units in ``live`` (the figures the dashboard has just computed for them), the county row
    for those who see it, and how ``live`` differs from what was frozen. The live figures are
    not computed again: only the month's risk reports are counted (one query). ``online_target``:
    the county's 网上投诉占比 target the live county row is judged against."""
    bulletin = published(period)
    if bulletin is None:
        return None
    ids = {row.unit.pk for row in live if row.unit is not None}
    frozen = bulletin.figures
    rows = [UnitFigures.from_json(row) for row in frozen["units"] if row["unit_id"] in ids]
    total = UnitFigures.from_json(frozen["county"]) if county else None
    now = figures_json(live, report_counts(period.start, period.end), online_target=online_target)
    return FrozenMonth(bulletin, rows, total, compare(frozen, now, unit_ids=ids, county=county))
