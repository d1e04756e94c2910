"""Twelve months (走势) and 形势 (by 内容分类 and 事发地), counted per unit.

The queries group by unit as well, so that the same counts give the figures of any set of units
by a plain sum (``fold_trend``, ``fold_situation``): the dashboard sums them for the units a
user sees, and a published month keeps them (``bulletins.selectors.snapshot``, JSON as
computed here) to show them again without reading the cases. Live and stored figures are
folded by the same code.

Counts per unit and month, in this order (``TREND_FIELDS``): 代理件数, 网上自投 tallied,
other channels tallied, whether any channel was tallied (1/0), 满意 + 基本满意, 已评价.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from xinfang.accounts.models import Unit
from xinfang.cases.models import Case
from xinfang.figures import stored
from xinfang.figures.models import ONLINE_CHANNELS, ChannelTally
from xinfang.figures.periods import Period, add_months, first_of_month, local_midnight
from xinfang.figures.rows import Rate
from xinfang.ratings.models import Rating, Satisfaction
from xinfang.reference.models import ContentCategory

TREND_FIELDS = ("proxied", "online_self", "offline", "tallied", "content", "rated")

# 网上投诉占比 of a month whose channel tallies were never entered: no data (无数据).
NO_TALLIES = Rate(0, 0)


def by_date(queryset: QuerySet, unit_ids: Sequence[int]) -> QuerySet:
    """``queryset`` restricted to the units, read through the index of the date it is counted by
    whatever the number of units: for a few units SQLite would otherwise read every row they
    ever had (once per range), where the date's index holds the period's rows alone."""
    return queryset.alias(unit_plus=F("unit_id") + 0).filter(unit_plus__in=unit_ids)


def per_range(
    queryset: QuerySet, field: str, ranges: Sequence[tuple], *keys: str, **aggregates
) -> list[dict]:
    """``aggregates`` over ``queryset`` within each ``(low, high)`` range of ``field`` (low ≤ field
    < high), grouped by ``keys``; each row carries ``range_index``, the range's place in ``ranges``.

    One statement: a UNION ALL of one range query per range, so that each part reads only its
    range through the index on ``field`` (a per-row CASE or FILTER over the whole span costs far
    more on SQLite). With ``keys``, a range with no rows has no row; without, its counts are 0.
    """
    parts = [
        queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high})
        .order_by()
        .annotate(range_index=Value(i, output_field=IntegerField()))
        .values("range_index", *keys)
        .annotate(**aggregates)
        for i, (low, high) in enumerate(ranges)
    ]
    return list(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])


# --- Twelve months ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date
    proxied: int
    online: Rate
    satisfaction: Rate

    @property
    def label(self) -> str:
        return f"{self.month.month}月"


def trend_months(end_month: datetime.date, months: int = 12) -> list[datetime.date]:
    last = first_of_month(end_month)
    return [add_months(last, i - months + 1) for i in range(months)]


def trend_counts(
    end_month: datetime.date,
    unit_ids: Sequence[int],
    months: int = 12,
    *,
    kept: dict[tuple[int, datetime.date], dict] | None = None,
) -> dict[str, Any]:
    """Per unit, the ``TREND_FIELDS`` of each of the ``months`` months ending with ``end_month``:
    {"months": [iso first days], "units": {unit id: [[counts] per month]}} (units with nothing
    left out). ``kept``: the counts of the first, closed, months (``counting.month_counts``, by
    unit and month), whose cases are not read again. Three queries (one when every month is
    kept), each reading one range of an indexed column."""
    month_list = trend_months(end_month, months)
    kept = kept or {}
    closed = {m for _, m in kept}
    live = [m for m in month_list if m not in closed]  # the last months: closed ones come first
    counts: dict[int, list[list[int]]] = defaultdict(lambda: [[0] * len(TREND_FIELDS) for _ in month_list])
    index = {month: i for i, month in enumerate(month_list)}
    for (uid, month), kept_counts in kept.items():
        point = counts[uid][index[month]]
        point[0] = kept_counts["proxied"]
        point[4] = kept_counts["satisfied"] + kept_counts["basically"]
        point[5] = kept_counts["rated"]
    if live:
        first = len(month_list) - len(live)
        edges = [*live, add_months(live[-1], 1)]
        moments = [local_midnight(m) for m in edges]
        cases = by_date(Case.objects.all(), unit_ids)
        for row in per_range(
            cases, "submitted_at", list(itertools.pairwise(moments)), "unit_id", n=Count("*")
        ):
            counts[row["unit_id"]][first + row["range_index"]][0] = row["n"]
        # Ratings by the month their reply was delivered: one join of ratings to cases, each row put
        # in its month by a CASE over the month edges (twelve parts would each join the ratings anew).
        month_of = models.Case(
            *[When(case__delivered_on__lt=edge, then=Value(i)) for i, edge in enumerate(edges[1:])],
            output_field=IntegerField(),
        )
        for row in (
            Rating.objects.filter(
                case__unit_id__in=unit_ids, case__delivered_on__gte=edges[0], case__delivered_on__lt=edges[-1]
            )
            .order_by()
            .annotate(range_index=month_of)
            .values("range_index", "case__unit_id")
            .annotate(
                rated=Count("pk"),
                content=Count(
                    "pk", filter=Q(body_satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY))
                ),
            )
        ):
            point = counts[row["case__unit_id"]][first + row["range_index"]]
            point[4], point[5] = row["content"], row["rated"]
    for row in (
        ChannelTally.objects.filter(unit_id__in=unit_ids, month__gte=month_list[0], month__lte=month_list[-1])
        .order_by()
        .values("unit_id", "month", "channel")
        .annotate(n=Sum("count"))
    ):
        point = counts[row["unit_id"]][index[row["month"]]]
        point[1 if row["channel"] in ONLINE_CHANNELS else 2] += row["n"] or 0
        point[3] = 1  # a month with any channel entered (a 0 counts)
    return {"months": [m.isoformat() for m in month_list], "units": dict(counts)}


def fold_trend(counts: dict[str, Any], unit_ids: Iterable[int]) -> list[MonthPoint]:
    """The points of the units in ``unit_ids``, summed from ``trend_counts`` (or its JSON form)."""
    months = [datetime.date.fromisoformat(m) for m in counts["months"]]
    by_unit = {int(uid): points for uid, points in counts["units"].items()}
    sums = [[0] * len(TREND_FIELDS) for _ in months]
    for uid in unit_ids:
        for total, point in zip(sums, by_unit.get(uid, ()), strict=False):
            for i, n in enumerate(point):
                total[i] += n
    points = []
    for month, (proxied, online_self, offline, tallied, content, rated) in zip(months, sums, strict=True):
        online = proxied + online_self
        # Without the month's tallies the share is unknown, not 100%: nothing to divide by.
        share = Rate(online, online + offline) if tallied else NO_TALLIES
        points.append(MonthPoint(month, proxied, share, Rate(content, rated)))
    return points


# --- 形势: what complaints are about and where they come from ----------------------------------------


@dataclass(frozen=True)
class Change:
    key: int | None
    name: str
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def rate(self) -> str:
        if not self.before:
            return "新增" if self.now else "—"
        return f"{self.change / self.before * 100:+.0f}%"


# The two breakdowns of 形势: the case's column, where its names come from, the name of none.
BREAKDOWNS = (
    ("categories", "category_id", ContentCategory, "未分类"),
    ("towns", "incident_town_id", Unit, "未填写事发镇"),
)


def situation_counts(
    period: Period,
    unit_ids: Sequence[int],
    *,
    today: datetime.date | None = None,
    kept: dict[tuple[int, datetime.date], dict] | None = None,
) -> dict[str, Any]:
    """Per unit and key, proxied complaints submitted in the period and in the previous one
    (``Period.previous``), by 内容分类 and by 事发地: {"categories": [[unit id, key, now, before]],
    "towns": […], "names": {"categories": [[key, name]], "towns": […]}}. ``kept``: the counts of
    closed months (``counting.month_counts``, by unit and month) of both periods, whose cases are
    not read again (``stored.split``). One query each (none when every month is kept), grouped
    by unit and key alone (a join to the names lets SQLite loop over the names and read the
    period once per name), and one each for the names."""
    today = today or timezone.localdate()
    spans = []
    for which, part in enumerate((period, period.previous())):
        closed, live = stored.split(part, today) if kept is not None else ([], [(part.start, part.end)])
        spans.append((which, set(closed), live))
    ranges = [(a, b) for _, _, live in spans for a, b in live]
    which_of = [which for which, _, live in spans for _ in live]
    moments = [(local_midnight(a), local_midnight(b + datetime.timedelta(days=1))) for a, b in ranges]
    result: dict[str, Any] = {"names": {}}
    for name, column, model, _ in BREAKDOWNS:
        counts: dict[tuple[int, int | None], list[int]] = {}
        for (uid, month), kept_counts in (kept or {}).items():
            for which, kept_months, _ in spans:
                if month in kept_months:
                    for key, n in kept_counts[name].items():
                        counts.setdefault((uid, int(key) if key else None), [0, 0])[which] += n
        if ranges:
            cases = by_date(Case.objects.all(), unit_ids)
            for row in per_range(cases, "submitted_at", moments, "unit_id", column, n=Count("*")):
                key = (row["unit_id"], row[column])
                counts.setdefault(key, [0, 0])[which_of[row["range_index"]]] += row["n"]
        result[name] = [[uid, key, now, before] for (uid, key), (now, before) in counts.items()]
        keys = {key for _, key in counts if key is not None}
        result["names"][name] = [
            list(pair) for pair in model.objects.filter(pk__in=keys).values_list("id", "name")
        ]
    return result


def fold_situation(counts: dict[str, Any], unit_ids: Iterable[int]) -> dict[str, list[Change]]:
    """形势 of the units in ``unit_ids`` from ``situation_counts`` (or its JSON form), largest
    rise first."""
    wanted = set(unit_ids)
    result = {}
    for name, _, _, blank in BREAKDOWNS:
        names = dict((key, label) for key, label in counts["names"][name])
        sums: dict[int | None, list[int]] = {}
        for uid, key, now, before in counts[name]:
            if uid in wanted:
                total = sums.setdefault(key, [0, 0])
                total[0] += now
                total[1] += before
        changes = [Change(k, names.get(k) or blank, now, before) for k, (now, before) in sums.items()]
        result[name] = sorted(changes, key=lambda c: (-c.change, -c.now, c.name))
    return result
