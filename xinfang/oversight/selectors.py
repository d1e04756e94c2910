"""Reading risk reports and inspections. ``reports_for`` / ``get_report_for`` and
``inspections_for`` / ``get_inspection_for`` read through the capability table
(``view_reports``, ``view_inspections``): today an agent and a unit head see their own unit's,
bureau staff every unit's; leaders, system administrators and auditors none (figures come
through ``report_counts`` on the dashboard).

Lists never load the encrypted columns: they are decrypted only on a report's own page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from xinfang.access import rules
from xinfang.access.models import Reach
from xinfang.accounts.models import Unit
from xinfang.oversight.models import Inspection, ReportStatus, RiskReport, Urgency

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _Overdue(TypedDict):
        overdue: bool

    InspectionRow = WithAnnotations[Inspection, _Overdue]  # with ``overdue`` (``_with_overdue``)

BANNER_MAX = 10
ENCRYPTED = ("description", "disposal")


# --- Risk reports ---------------------------------------------------------------------------------


def reports_for(user) -> QuerySet[RiskReport]:
    return rules.scoped(RiskReport.objects.select_related("unit", "reported_by"), user, "view_reports")


def get_report_for(request, pk: int) -> RiskReport:
    reports = reports_for(request.user).select_related("acknowledged_by", "disposed_by")
    return rules.get_or_refuse(reports, request.user, "view_reports", pk, request=request)


def report_units(user, code: str = "view_reports") -> QuerySet[Unit]:
    """The units a user may filter reports (or inspections) by: every active unit for those who
    see every unit's, none for the others (they see their own only)."""
    if rules.reach(user, code) == Reach.COUNTY:
        return Unit.objects.filter(active=True).order_by("sort_order", "id")
    return Unit.objects.none()


@dataclass
class ReportFilter:
    unit: Unit | None = None
    kind: str = ""
    status: str = ""
    urgency: str = ""


STATUS_FILTERS: dict[str, Q] = {
    ReportStatus.NEW: Q(acknowledged_at__isnull=True, disposed_at__isnull=True),
    ReportStatus.ACKNOWLEDGED: Q(acknowledged_at__isnull=False, disposed_at__isnull=True),
    ReportStatus.DISPOSED: Q(disposed_at__isnull=False),
}


def report_list(user, flt: ReportFilter) -> QuerySet[RiskReport]:
    reports = reports_for(user).defer(*ENCRYPTED).annotate(case_number=F("case__number"))
    if flt.unit is not None:
        reports = reports.filter(unit=flt.unit)
    if flt.kind:
        reports = reports.filter(kind=flt.kind)
    if flt.urgency:
        reports = reports.filter(urgency=flt.urgency)
    if flt.status:
        reports = reports.filter(STATUS_FILTERS[flt.status])
    return reports.order_by("-created_at", "-id")


def report_events(report: RiskReport):
    return report.events.select_related("by")


def urgent_unacknowledged(limit: int = BANNER_MAX) -> list[RiskReport]:
    """What the banner shows bureau staff on every page: urgent reports nobody has acknowledged,
    oldest first, at most ``limit`` (one more is read to tell that there are more). One query."""
    return list(
        RiskReport.objects.filter(urgency=Urgency.URGENT, acknowledged_at__isnull=True)
        .select_related("unit")
        .only("id", "kind", "urgency", "created_at", "unit__id", "unit__name")
        .order_by("created_at", "id")[: limit + 1]
    )


def _local_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def report_counts(start: datetime.date, end: datetime.date) -> dict[int, dict[str, int]]:
    """For the dashboard: reports per unit and kind, filed between two local dates (both
    included). Counted by the day the report was filed, so a closed period's figures do not
    change when a late report tells of an earlier event. One aggregate query."""
    low, high = _local_bounds(start, end)
    rows = (
        RiskReport.objects.filter(created_at__gte=low, created_at__lt=high)
        .order_by()
        .values_list("unit_id", "kind")
        .annotate(n=Count("id"))
    )
    result: dict[int, dict[str, int]] = {}
    for unit_id, kind, n in rows:
        result.setdefault(unit_id, {})[kind] = n
    return result


# --- Inspections ------------------------------------------------------------------------------------


def _with_overdue(today: datetime.date | None = None) -> QuerySet[InspectionRow]:
    """Every inspection with ``overdue``: findings not put right by the deadline. Derived from
    ``rectify_by`` and today, never stored."""
    today = today or timezone.localdate()
    overdue = Q(no_problems=False, rectified_on__isnull=True, rectify_by__lt=today)
    return Inspection.objects.select_related("unit", "recorded_by").annotate(
        overdue=ExpressionWrapper(overdue, output_field=BooleanField())
    )


def inspections_for(user, *, today: datetime.date | None = None) -> QuerySet[InspectionRow]:
    return rules.scoped(_with_overdue(today), user, "view_inspections")


def get_inspection_for(request, pk: int) -> Inspection:
    inspections = inspections_for(request.user).select_related("rectified_by")
    return rules.get_or_refuse(inspections, request.user, "view_inspections", pk, request=request)


def inspection_list(
    user, *, unit: Unit | None = None, year: int | None = None, overdue_only: bool = False
) -> QuerySet[InspectionRow]:
    inspections = inspections_for(user)
    if unit is not None:
        inspections = inspections.filter(unit=unit)
    if year is not None:
        inspections = inspections.filter(inspected_on__year=year)
    if overdue_only:
        inspections = inspections.filter(overdue=True)
    return inspections.order_by("-inspected_on", "-id")


def inspection_years(inspections: QuerySet[Inspection]) -> list[int]:
    return sorted({d.year for d in inspections.order_by().dates("inspected_on", "year")}, reverse=True)


def inspection_findings(
    start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> QuerySet[InspectionRow]:
    """For the dashboard: inspections between two dates (both included) that found problems,
    with their unit and ``overdue``, by unit then date. County-wide: for the bulletin."""
    return (
        _with_overdue(today)
        .filter(inspected_on__gte=start, inspected_on__lte=end, no_problems=False)
        .order_by("unit__sort_order", "unit_id", "inspected_on", "id")
    )
