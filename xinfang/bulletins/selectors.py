"""What a bulletin says, and what a published month looked like.

``snapshot`` computes a month's figures with ``xinfang.figures.selectors`` (the same
definitions and queries as the dashboard), the risk report counts and the inspection findings
of ``xinfang.oversight.selectors``, and the 满意度 counts of ``xinfang.ratings.selectors``, as
plain JSON (the figures' own form, ``xinfang.figures.rows.figures_json``): that is what
``publish_bulletin`` freezes and what the document is written from. ``frozen_figures`` reads it
back; ``differences`` compares it with the live figures. The dashboard finds a published month
through ``published``, which ``BulletinsConfig.ready`` hands to ``xinfang.figures.frozen``.

Nothing here carries personal data: counts, unit names, dates and finding labels only.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xinfang.accounts.models import Unit
from xinfang.bulletins.models import Bulletin
from xinfang.cases.models import Case
from xinfang.figures import selectors as figures
from xinfang.figures import series
from xinfang.figures.periods import Period, first_of_month
from xinfang.figures.rows import Difference, compare, figures_json
from xinfang.oversight.selectors import inspection_findings, report_counts
from xinfang.ratings.selectors import rating_figures

SNAPSHOT_VERSION = 1


# --- The month's figures as JSON --------------------------------------------------------------------


def bulletin_units() -> QuerySet[Unit]:
    """Every active unit, as on the bureau's dashboard."""
    return figures.tally_units()


def snapshot(month: datetime.date, *, today: datetime.date | None = None) -> dict[str, Any]:
    """The month's figures for every active unit and the county, as published in a bulletin.

    1. Per unit: ``figures.selectors.unit_figures`` for the month (counts, each rate's numerator
       and denominator, target and 达标), with the unit's risk reports by kind; the county:
       the sum of those rows (``figures.rows.figures_json``), its 网上投诉占比 judged against
       the county's target in force that month (``online_target``, ``online_met``).
    2. Ratings: ``ratings.selectors.rating_figures`` over the cases whose reply was delivered in
       the month (both the bureau's and the handling body's 满意度).
    3. Risk reports: ``oversight.selectors.report_counts``; inspections that found problems:
       ``oversight.selectors.inspection_findings`` (labels and dates only, never the notes).
    4. The twelve months ending with the month and its 形势, per unit (``figures.series``): the
       dashboard shows a published month from these without reading the cases.
    """
    today = today or timezone.localdate()
    month = first_of_month(month)
    period = Period.month(month.year, month.month)
    units = list(bulletin_units())
    rows = figures.unit_figures(period, units, today=today)
    target = figures.online_share_target(period)
    unit_ids = [u.pk for u in units]
    ratings = rating_figures(
        Case.objects.filter(
            unit_id__in=unit_ids, delivered_on__gte=period.start, delivered_on__lte=period.end
        )
    )
    inspections = [
        {
            "unit_id": i.unit_id,
            "unit": i.unit.name,
            "inspected_on": i.inspected_on.isoformat(),
            "findings": i.finding_labels,
            "rectify_by": i.rectify_by.isoformat() if i.rectify_by else None,
            "rectified_on": i.rectified_on.isoformat() if i.rectified_on else None,
            "overdue": bool(i.overdue),
        }
        for i in inspection_findings(period.start, period.end, today=today)
    ]
    return {
        "version": SNAPSHOT_VERSION,
        "month": month.isoformat(),
        "computed_on": today.isoformat(),
        **figures_json(
            rows, report_counts(period.start, period.end), online_target=target.percent if target else None
        ),
        "ratings": {k: v for k, v in ratings.items() if isinstance(v, int)},
        "inspections": inspections,
        "series": {
            "trend": series.trend_counts(month, unit_ids),
            "situation": series.situation_counts(period, unit_ids),
        },
    }


# --- Published months ---------------------------------------------------------------------------------


def published(month: datetime.date) -> Bulletin | None:
    """The month's bulletin in force (not withdrawn), or None."""
    return (
        Bulletin.objects.filter(month=first_of_month(month), withdrawn_at__isnull=True)
        .select_related("published_by")
        .first()
    )


def frozen_figures(month: datetime.date) -> dict[str, Any] | None:
    """The figures frozen by the month's bulletin, or None if it has not been published."""
    bulletin = published(month)
    return bulletin.figures if bulletin else None


def bulletin_list() -> QuerySet[Bulletin]:
    """Every bulletin, withdrawn ones included (marked), newest month first."""
    return Bulletin.objects.select_related(
        "published_by", "withdrawn_by", "replaces", "replaced_by"
    ).order_by("-month", "-published_at")


# --- Differences --------------------------------------------------------------------------------------


def differences(
    month: datetime.date, *, unit_ids=None, county: bool = True, today: datetime.date | None = None
) -> list[Difference]:
    """How the live figures of a published month differ from the frozen ones ([] if unpublished)."""
    frozen = frozen_figures(month)
    if frozen is None:
        return []
    return compare(frozen, snapshot(month, today=today), unit_ids=unit_ids, county=county)
