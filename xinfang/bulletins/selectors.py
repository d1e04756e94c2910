"""What a bulletin says, and what a published month looked like.

``snapshot`` computes a month's figures with ``xinfang.figures.selectors`` (the same
definitions and queries as the dashboard), the risk report counts and the inspection findings
of ``xinfang.oversight.selectors``, and the 满意度 counts of ``xinfang.ratings.selectors``, as
plain JSON: that is what ``publish_bulletin`` freezes and what the document is written from.
``frozen_figures`` reads it back; ``differences`` compares it with the live figures.

Nothing here carries personal data: counts, unit names, dates and finding labels only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xinfang.accounts.models import Role, Unit
from xinfang.bulletins.models import Bulletin
from xinfang.cases.models import Case
from xinfang.figures import selectors as figures
from xinfang.figures.models import Channel
from xinfang.figures.periods import MONTH, Period, first_of_month
from xinfang.oversight.models import ReportKind
from xinfang.oversight.selectors import inspection_findings, report_counts
from xinfang.ratings.selectors import rating_figures

READERS = (Role.BUREAU, Role.LEADER)  # 领导 reads bulletins (MISSION.md roles)
WRITERS = (Role.BUREAU,)
RATES = ("online", "participation", "satisfaction", "satisfied", "timely_acceptance", "timely_conclusion")
SNAPSHOT_VERSION = 1


# --- The month's figures as JSON --------------------------------------------------------------------


def _row(f: figures.UnitFigures, reports: dict[str, int]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "unit_id": f.unit.pk if f.unit else None,
        "name": f.name,
        "proxied": f.proxied,
        "target": f.target,
        "met": f.met,
        "open": f.open,
        "overdue": f.overdue,
        "tallies": dict(f.tallies),
        "reports": {kind: reports.get(kind, 0) for kind in ReportKind.values if reports.get(kind)},
    }
    for name in RATES:
        rate = getattr(f, name)
        row[name] = [rate.numerator, rate.denominator]
    return row


def bulletin_units() -> QuerySet[Unit]:
    """Every active unit, as on the bureau's dashboard."""
    return figures.tally_units()


def snapshot(month: datetime.date, *, today: datetime.date | None = None) -> dict[str, Any]:
    """The month's figures for every active unit and the county, as published in a bulletin.

    1. Per unit: ``figures.selectors.unit_figures`` for the month (counts, each rate's numerator
       and denominator, target and 达标), with the unit's risk reports by kind.
    2. County: ``county_totals`` of those rows.
    3. Ratings: ``ratings.selectors.rating_figures`` over the cases whose reply was delivered in
       the month (both the bureau's and the handling body's 满意度).
    4. Risk reports: ``oversight.selectors.report_counts``; inspections that found problems:
       ``oversight.selectors.inspection_findings`` (labels and dates only, never the notes).
    """
    today = today or timezone.localdate()
    month = first_of_month(month)
    period = Period.month(month.year, month.month)
    units = list(bulletin_units())
    rows = figures.unit_figures(period, units, today=today)
    total = figures.county_totals(rows)
    reports = report_counts(period.start, period.end)
    by_kind: dict[str, int] = {}
    for counts in reports.values():
        for kind, n in counts.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
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
        "units": [_row(row, reports.get(row.unit.pk, {})) for row in rows],
        "county": _row(total, by_kind),
        "ratings": {k: v for k, v in ratings.items() if isinstance(v, int)},
        "reports": {"by_kind": by_kind, "total": sum(by_kind.values())},
        "inspections": inspections,
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


def as_unit_figures(row: dict[str, Any]) -> figures.UnitFigures:
    """A frozen row in the dashboard's shape (``unit`` is None: the name is what was published)."""
    return figures.UnitFigures(
        unit=None,
        name=row["name"],
        proxied=row["proxied"],
        target=row["target"],
        tallies={ch: row["tallies"].get(ch, 0) for ch in Channel.values},
        open=row["open"],
        overdue=row["overdue"],
        **{name: figures.Rate(*row[name]) for name in RATES},
    )


# --- Differences --------------------------------------------------------------------------------------

# The figures compared. 在办 is left out: it is the state now, not a figure of the month.
COMPARED = (
    ("proxied", "代理件数"),
    ("target", "目标"),
    ("met", "是否达标"),
    ("online", "网上投诉占比"),
    ("participation", "参评率"),
    ("satisfaction", "满意率"),
    ("satisfied", "满意"),
    ("timely_acceptance", "及时受理率"),
    ("timely_conclusion", "按期办结率"),
    ("overdue", "超期件数"),
)


def _text(key: str, value) -> str:
    if value is None:
        return "—"
    if key == "met":
        return "达标" if value else "未达标"
    if isinstance(value, list | tuple):
        return f"{figures.Rate(*value).percent}（{value[0]}/{value[1]}）"
    return str(value)


@dataclass(frozen=True)
class Difference:
    unit: str
    figure: str
    old: str
    new: str


def _flat(row: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    flat = {key: (label, row.get(key)) for key, label in COMPARED}
    for ch, label in Channel.choices:
        flat[f"tally:{ch}"] = (f"渠道台账{label}", row.get("tallies", {}).get(ch, 0))
    for kind, label in ReportKind.choices:
        flat[f"report:{kind}"] = (f"风险报告{label}", row.get("reports", {}).get(kind, 0))
    return flat


def compare(
    frozen: dict[str, Any], live: dict[str, Any], *, unit_ids=None, county: bool = True
) -> list[Difference]:
    """Per unit (and the county), each figure whose live value is not the frozen one: old → new.
    ``unit_ids`` limits the units compared (a unit head sees the own unit only)."""

    def keyed(snap):
        rows = {row["unit_id"]: row for row in snap["units"]}
        if county:
            rows["county"] = snap["county"]
        return rows

    old_rows, new_rows = keyed(frozen), keyed(live)
    order = list(old_rows) + [k for k in new_rows if k not in old_rows]
    if county and "county" in order:
        order.remove("county")
        order.append("county")
    result = []
    for key in order:
        if unit_ids is not None and key != "county" and key not in unit_ids:
            continue
        old, new = old_rows.get(key), new_rows.get(key)
        name = (old or new)["name"]
        if old is None or new is None:
            result.append(
                Difference(name, "单位", "—" if old is None else "列入", "—" if new is None else "列入")
            )
            continue
        old_flat, new_flat = _flat(old), _flat(new)
        for field_key, (label, value) in old_flat.items():
            new_value = new_flat[field_key][1]
            if _norm(value) != _norm(new_value):
                result.append(Difference(name, label, _text(field_key, value), _text(field_key, new_value)))
    return result


def _norm(value):
    return list(value) if isinstance(value, list | tuple) else value


def differences(
    month: datetime.date, *, unit_ids=None, county: bool = True, today: datetime.date | None = None
) -> list[Difference]:
    """How the live figures of a published month differ from the frozen ones ([] if unpublished)."""
    frozen = frozen_figures(month)
    if frozen is None:
        return []
    return compare(frozen, snapshot(month, today=today), unit_ids=unit_ids, county=county)


@dataclass
class FrozenMonth:
    bulletin: Bulletin
    rows: list[figures.UnitFigures]
    total: figures.UnitFigures | None
    differences: list[Difference]


def frozen_month(period: Period, units, *, county: bool) -> FrozenMonth | None:
    """For the dashboard: when the period is exactly one published month, the frozen rows of the
    units shown (and the county row for those who see it) and the differences since."""
    if period.kind != MONTH:
        return None
    bulletin = published(period.start)
    if bulletin is None:
        return None
    ids = {u.pk for u in units}
    rows = [as_unit_figures(row) for row in bulletin.figures["units"] if row["unit_id"] in ids]
    total = as_unit_figures(bulletin.figures["county"]) if county else None
    changes = compare(bulletin.figures, snapshot(period.start), unit_ids=ids, county=county)
    return FrozenMonth(bulletin, rows, total, changes)
