"""Thin views: parse the form, fetch through the accessor, call one action, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role
from xinfang.accounts.permissions import role_required
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


def _form_error(form, exc: actions.OversightError) -> None:
    visible = exc.field in form.fields and not form[exc.field].is_hidden
    form.add_error(exc.field if visible else None, exc.message)


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Risk reports ------------------------------------------------------------------------------------


@role_required(*selectors.READERS)
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
            "show_unit": request.user.role == Role.BUREAU,
            "can_file": request.user.role == Role.AGENT,
        },
    )


@role_required(Role.AGENT)
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
            _form_error(form, exc)
        else:
            if report.urgency == Urgency.URGENT:
                messages.success(request, f"已报送紧急风险报告（第{report.pk}号），县信访局已收到提示。")
            else:
                messages.success(request, f"已报送风险报告（第{report.pk}号）。")
            return redirect("oversight:report", pk=report.pk)
    return render(request, "oversight/report_form.html", {"form": form, "nav": "reports"})


@role_required(*selectors.READERS)
def report_detail(request, pk):
    report = selectors.get_report_for(request, pk)
    is_bureau = request.user.role == Role.BUREAU
    return render(
        request,
        "oversight/report_detail.html",
        {
            "report": report,
            "events": selectors.report_events(report),
            "nav": "reports",
            "can_acknowledge": is_bureau and actions.allows(report, "acknowledge"),
            "can_dispose": is_bureau and actions.allows(report, "dispose"),
            "disposal_form": DisposalForm(),
        },
    )


@require_POST
@role_required(Role.BUREAU)
def report_acknowledge(request, pk):
    report = selectors.get_report_for(request, pk)
    try:
        actions.acknowledge_report(report, by=request.user)
    except actions.ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已签收风险报告（第{report.pk}号）。")
    return redirect("oversight:report", pk=report.pk)


@role_required(Role.BUREAU)
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
            _form_error(form, exc)
        else:
            messages.success(request, "已登记处置情况。")
            return redirect("oversight:report", pk=report.pk)
    return render(request, "oversight/disposal_form.html", {"report": report, "form": form, "nav": "reports"})


# --- Inspections --------------------------------------------------------------------------------------


@role_required(*selectors.READERS)
def inspection_list(request):
    units = selectors.report_units(request.user)
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
            "show_unit": request.user.role == Role.BUREAU,
            "can_write": request.user.role == Role.BUREAU,
        },
    )


@role_required(Role.BUREAU)
def inspection_new(request):
    form = InspectionForm(request.POST or None, units=selectors.report_units(request.user))
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
            _form_error(form, exc)
        else:
            messages.success(request, f"已登记对{inspection.unit.name}的督察。")
            return redirect("oversight:inspection", pk=inspection.pk)
    return render(request, "oversight/inspection_form.html", {"form": form, "nav": "inspections"})


@role_required(*selectors.READERS)
def inspection_detail(request, pk):
    inspection = selectors.get_inspection_for(request, pk)
    can_rectify = request.user.role == Role.BUREAU and inspection.needs_rectification
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
@role_required(Role.BUREAU)
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
            _form_error(form, exc)
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
