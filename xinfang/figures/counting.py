"""The counts the figures sum, per unit: over ranges of days (``live_counts``) and per closed month
(``month_counts``, kept by ``figures.stored``). Both by the same aggregates, one query per
family whatever the number of units and ranges (a UNION ALL of one range query per range,
``series.per_range``).

Families (``COUNT_FIELDS``): cases by ``submitted_at`` (代理件数; per month also by 内容分类 and
事发地 for 形势), by ``delivered_on`` with their ratings (参评率, 满意率), and deadlines by
``due_on`` (及时受理率, 按期办结率). See ``selectors.unit_figures`` for the definitions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from xinfang.cases import steps
from xinfang.cases.models import Case
from xinfang.deadlines.models import CaseDeadline
from xinfang.figures import stored
from xinfang.figures.periods import Period, add_months, local_midnight
from xinfang.figures.series import by_date, per_range
from xinfang.ratings.models import Satisfaction

# The clocks the two timeliness rates read (deadlines.Clock codes, 《信访工作条例》第23条、第34条)
# and the steps that meet each. 第23条 asks the handling body to tell the petitioner within
# 15 日 whether the matter is accepted: a 不予受理 or 不再受理 notice in time is a timely
# 受理告知 just as 受理 is.
# The steps that meet each clock are those the step registry says stop it.
ACCEPT_CLOCK, CONCLUDE_CLOCK = "accept_notice", "conclude"
ACCEPT_STEPS = steps.clock_steps_of(ACCEPT_CLOCK)[1]
CONCLUDE_STEPS = steps.clock_steps_of(CONCLUDE_CLOCK)[1]

COUNT_FIELDS = (
    "proxied",
    "delivered",
    "rated",
    "satisfied",
    "basically",
    "accept_due",
    "accept_met",
    "conclude_due",
    "conclude_met",
)
# 形势's breakdowns: the key kept per closed month, the case's column.
BREAKDOWNS = (("categories", "category_id"), ("towns", "incident_town_id"))
DayRange = tuple[datetime.date, datetime.date]


def due_rate_counts(prefix: str, clock: str, steps: Sequence[str], today: datetime.date) -> dict:
    """Among deadlines due in the period (the queryset's filter), count the clocks of ``clock``
    (see ``selectors.DEFINITIONS``) and those met in time.

    Left out: a clock still running whose due date has not passed (it may yet be met), and one
    stopped on or before its due date by a step that is not its own (withdrawal: the duty ended).
    In a month over before today no due date is still to come: its counts do not depend on today.
    """
    due = Q(clock__code=clock)
    not_yet = Q(stopped_on__isnull=True, due_on__gte=today)
    ended = Q(stopped_on__lte=F("due_on")) & ~Q(stopped_by__in=steps)
    counted = due & ~not_yet & ~ended
    met = due & Q(stopped_by__in=steps, stopped_on__lte=F("due_on"))
    # Counted on ``due_on`` (never null) rather than the id: the columns read are all in the index.
    return {f"{prefix}_due": Count("due_on", filter=counted), f"{prefix}_met": Count("due_on", filter=met)}


def _families(unit_ids: Sequence[int], ranges: Sequence[DayRange], today: datetime.date, *, submitted: bool):
    """The families' rows over the ranges (each day range first..last), grouped by range and
    unit; the submitted cases only when ``submitted``."""
    moments = [(local_midnight(a), local_midnight(b + datetime.timedelta(days=1))) for a, b in ranges]
    days = [(a, b + datetime.timedelta(days=1)) for a, b in ranges]
    cases = by_date(Case.objects.all(), unit_ids)
    # COUNT(*) where a count needs no column: PostgreSQL then answers from the index alone.
    if submitted:
        yield from per_range(cases, "submitted_at", moments, "unit_id", proxied=Count("*"))
    yield from per_range(
        cases,
        "delivered_on",
        days,
        "unit_id",
        delivered=Count("*"),
        rated=Count("rating"),
        satisfied=Count("rating", filter=Q(rating__body_satisfaction=Satisfaction.SATISFIED)),
        basically=Count("rating", filter=Q(rating__body_satisfaction=Satisfaction.BASICALLY)),
    )
    # Deadlines carry their case's unit: these never read the cases.
    yield from per_range(
        by_date(CaseDeadline.objects.all(), unit_ids),
        "due_on",
        days,
        "unit_id",
        **due_rate_counts("accept", ACCEPT_CLOCK, ACCEPT_STEPS, today),
        **due_rate_counts("conclude", CONCLUDE_CLOCK, CONCLUDE_STEPS, today),
    )


def live_counts(unit_ids: Sequence[int], ranges: Sequence[DayRange], today: datetime.date) -> dict[int, dict]:
    """``COUNT_FIELDS`` per unit over the ranges of days, summed: {unit id: {field: n}}. Three
    queries (none without ranges)."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    if not ranges:
        return totals
    for row in _families(unit_ids, ranges, today, submitted=True):
        total = totals[row["unit_id"]]
        for name in COUNT_FIELDS:
            total[name] += row.get(name) or 0
    return totals


def month_counts(
    unit_ids: Sequence[int], months: Sequence[datetime.date]
) -> dict[tuple[int, datetime.date], dict[str, Any]]:
    """Per unit and month (months over before today): ``COUNT_FIELDS`` and 形势's breakdowns
    {"categories": {key: n}, "towns": {key: n}} (keys as text, "" for none). Four queries."""
    today = timezone.localdate()
    ranges = [(m, add_months(m, 1) - datetime.timedelta(days=1)) for m in months]
    result: dict[tuple[int, datetime.date], dict[str, Any]] = defaultdict(
        lambda: {**dict.fromkeys(COUNT_FIELDS, 0), **{name: {} for name, _ in BREAKDOWNS}}
    )
    for uid in unit_ids:
        for month in months:
            result[(uid, month)]  # every unit and month kept, those with nothing too
    for name, column in BREAKDOWNS:
        moments = [(local_midnight(a), local_midnight(b + datetime.timedelta(days=1))) for a, b in ranges]
        cases = by_date(Case.objects.all(), unit_ids)
        for row in per_range(cases, "submitted_at", moments, "unit_id", column, n=Count("*")):
            counts = result[(row["unit_id"], months[row["range_index"]])]
            key = "" if row[column] is None else str(row[column])
            counts[name][key] = counts[name].get(key, 0) + row["n"]
            if name == "categories":
                counts["proxied"] += row["n"]
    for row in _families(unit_ids, ranges, today, submitted=False):
        counts = result[(row["unit_id"], months[row["range_index"]])]
        for field in COUNT_FIELDS:
            counts[field] += row.get(field) or 0
    return dict(result)


def period_counts(
    period: Period, unit_ids: Sequence[int], today: datetime.date
) -> tuple[dict[int, dict], dict[tuple[int, datetime.date], dict[str, Any]]]:
    """``COUNT_FIELDS`` per unit for the period: its closed months kept (``stored``), the rest
    live. Also the kept months' counts, for 形势."""
    closed, live = stored.split(period, today)
    kept = stored.month_counts(unit_ids, closed, month_counts)
    totals = live_counts(unit_ids, live, today)
    for (uid, _), counts in kept.items():
        total = totals[uid]
        for name in COUNT_FIELDS:
            total[name] += counts.get(name, 0)
    return totals, kept
