"""Thin views: parse the form, fetch through the accessor, call one action, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.access import rules
from xinfang.access.views import requires
from xinfang.core.errors import add_to_form
from xinfang.core.validators import parse_id
from xinfang.oversight import actions, selectors
from xinfang.oversight.forms import (
    DisposalForm,
    InspectionFilterForm,
    InspectionForm,
    RectificationForm,
    ReportFilterForm,
    ReportForm,
)
from xinfang.oversight.models import Urgency

PAGE_SIZE = 50


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Risk reports ------------------------------------------------------------------------------------


@requires("view_reports")
def report_list(request):
    units = selectors.report_units(request.user)
    form = ReportFilterForm(request.GET or None, units=units)
    flt = selectors.ReportFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.ReportFilter(
            unit=data.get("unit"), kind=data["kind"], urgency=data["urgency"], status=data["status"]
        )
    page = Paginator(selectors.report_list(request.user, flt), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/report_list.html",
        {
            "filter": form,
            "page": page,
            "query": _query(request),
            "nav": "reports",
        },
    )


@requires("file_report")
def report_new(request):
    initial = {}
    case = parse_id(request.GET.get("case"))
    if case is not None:
        initial["case"] = case  # from a case's page; the choices are the agent's own cases anyway
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = actions.file_report(
                by=request.user,
                kind=data["kind"],
                urgency=data["urgency"],
                happened_on=data["happened_on"],
                description=data["description"],
                case=data["case"],
                petitioner_name=data["petitioner_name"],
            )
        except actions.ReportError as exc:
            add_to_form(form, exc)
        else:
            if report.urgency == Urgency.URGENT:
                messages.success(request, f"已报送紧急风险报告（第{report.pk}号），县信访局已收到提示。")
            else:
                messages.success(request, f"已报送风险报告（第{report.pk}号）。")
            return redirect("oversight:report", pk=report.pk)
    return render(request, "oversight/report_form.html", {"form": form, "nav": "reports"})


@requires("view_reports")
def report_detail(request, pk):
    report = selectors.get_report_for(request, pk)
    handles = rules.can(request.user, "handle_reports", report.unit_id)
    return render(
        request,
        "oversight/report_detail.html",
        {
            "report": report,
            "events": selectors.report_events(report),
            "nav": "reports",
            "can_acknowledge": handles and actions.allows(report, "acknowledge"),
            "can_dispose": handles and actions.allows(report, "dispose"),
            "disposal_form": DisposalForm(),
        },
    )


@require_POST
@requires("handle_reports")
def report_acknowledge(request, pk):
    report = selectors.get_report_for(request, pk)
    try:
        actions.acknowledge_report(report, by=request.user)
    except actions.ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已签收风险报告（第{report.pk}号）。")
    return redirect("oversight:report", pk=report.pk)


@requires("handle_reports")
def report_dispose(request, pk):
    report = selectors.get_report_for(request, pk)
    if not actions.allows(report, "dispose"):
        messages.error(request, actions.REFUSALS["dispose"])
        return redirect("oversight:report", pk=report.pk)
    form = DisposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_disposal(report, by=request.user, disposal=form.cleaned_data["disposal"])
        except actions.ReportError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已登记处置情况。")
            return redirect("oversight:report", pk=report.pk)
    return render(request, "oversight/disposal_form.html", {"report": report, "form": form, "nav": "reports"})


# --- Inspections --------------------------------------------------------------------------------------


@requires("view_inspections")
def inspection_list(request):
    units = selectors.report_units(request.user, "view_inspections")
    everything = selectors.inspections_for(request.user)
    form = InspectionFilterForm(
        request.GET or None, units=units, years=selectors.inspection_years(everything)
    )
    unit = year = None
    overdue_only = False
    if form.is_bound and form.is_valid():
        unit, year, overdue_only = (
            form.cleaned_data.get("unit"),
            form.cleaned_data.get("year"),
            form.cleaned_data["overdue"],
        )
    inspections = selectors.inspection_list(request.user, unit=unit, year=year, overdue_only=overdue_only)
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/inspection_list.html",
        {
            "filter": form,
            "page": page,
            "query": _query(request),
            "nav": "inspections",
        },
    )


@requires("record_inspections")
def inspection_new(request):
    form = InspectionForm(
        request.POST or None, units=selectors.report_units(request.user, "record_inspections")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = actions.record_inspection(
                by=request.user,
                unit=data["unit"],
                inspected_on=data["inspected_on"],
                inspectors=data["inspectors"],
                findings=data["findings"],
                findings_note=data["findings_note"],
                no_problems=data["no_problems"],
                rectification=data["rectification"],
                rectify_by=data["rectify_by"],
            )
        except actions.InspectionError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, f"已登记对{inspection.unit.name}的督察。")
            return redirect("oversight:inspection", pk=inspection.pk)
    return render(request, "oversight/inspection_form.html", {"form": form, "nav": "inspections"})


@requires("view_inspections")
def inspection_detail(request, pk):
    inspection = selectors.get_inspection_for(request, pk)
    can_rectify = (
        rules.can(request.user, "record_inspections", inspection.unit_id) and inspection.needs_rectification
    )
    return render(
        request,
        "oversight/inspection_detail.html",
        {
            "inspection": inspection,
            "can_rectify": can_rectify,
            "form": RectificationForm() if can_rectify else None,
            "nav": "inspections",
        },
    )


@require_POST
@requires("record_inspections")
def inspection_rectified(request, pk):
    inspection = selectors.get_inspection_for(request, pk)
    form = RectificationForm(request.POST)
    if form.is_valid():
        try:
            actions.record_rectification(
                inspection,
                by=request.user,
                rectified_on=form.cleaned_data["rectified_on"],
                note=form.cleaned_data["note"],
            )
        except actions.InspectionError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已登记整改完成。")
            return redirect("oversight:inspection", pk=inspection.pk)
    return render(
        request,
        "oversight/inspection_detail.html",
        {
            "inspection": inspection,
            "can_rectify": inspection.needs_rectification,
            "form": form,
            "nav": "inspections",
        },
    )
