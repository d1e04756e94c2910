"""The dashboard (统计), the targets page and the channel tallies page.

Views are thin: the units a user sees come from ``selectors.figure_units`` (the capability
table's ``view_figures``: a unit head's own unit; bureau staff and leaders every unit), the
figures from ``selectors``, a published month's frozen figures from ``frozen``, the changes
from ``actions``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.accounts.agent_reports import agent_duty
from xinfang.cases.exports import XLSX, attachment_header
from xinfang.core.errors import add_to_form
from xinfang.figures import actions, charts, frozen, selectors, stored, workbooks
from xinfang.figures.forms import (
    CountyTargetForm,
    MonthChoiceForm,
    PeriodForm,
    TallyGridForm,
    TallyUploadForm,
    TargetForm,
)
from xinfang.figures.models import Channel, CountyFigure
from xinfang.figures.periods import first_of_month
from xinfang.oversight.models import ReportKind


@requires(selectors.VIEW)
def dashboard(request):
    with stored.reading():  # the closed months' counts read once for the figures, trend and 形势
        return _dashboard(request)


def _dashboard(request):
    units = selectors.units_or_404(request.user)
    ids = [u.pk for u in units]
    form = PeriodForm(request.GET or None)
    period = form.period()
    county = selectors.sees_county(request.user)
    # The county's 网上投诉占比 target judges the county's row (达标 / 未达标).
    online_target = selectors.online_share_target(period) if county else None
    percent = online_target.percent if online_target else None
    # 通报: a published month shows the figures as published, from the publication alone; the
    # changes since are counted only when asked for (``changes=1``), as they need the live figures.
    published = frozen.stored_month(period, ids, county=county)
    if published is None:
        rows = selectors.unit_figures(period, units)
        total = selectors.county_totals(rows, online_target=percent) if county else None
    else:
        rows, total = published.rows, published.total
        if request.GET.get("changes") == "1":
            live = selectors.unit_figures(period, units)
            compared = frozen.frozen_month(
                period, live, county=county, online_target=percent, bulletin=published.bulletin
            )
            published.differences = compared.differences if compared else []
    reports, reports_total = selectors.report_rows(
        period, units, county=county, frozen=published.bulletin.figures if published else None
    )
    trend = (
        published.trend if published and published.trend is not None else selectors.trends(period.end, units)
    )
    situation = published.situation if published and published.situation is not None else None
    span = f"（{trend[0].month.year}年{trend[0].month.month}月—{trend[-1].month.year}年{trend[-1].month.month}月）"
    return render(
        request,
        "figures/dashboard.html",
        {
            "form": form,
            "period": period,
            "previous": period.previous(),
            "rows": rows,
            "total": total,
            "county": county,
            "online_target": online_target,
            "situation": situation or selectors.situation(period, units),
            "as_of": period.as_of(timezone.localdate()),
            "definitions": selectors.DEFINITIONS,
            "few_cases": selectors.FEW_CASES,
            "channels": Channel.choices,
            "trend": trend,
            "charts": {
                "proxied": charts.bars([(p.label, p.proxied) for p in trend], title=f"代理件数（件）{span}"),
                "online": charts.line(
                    [(p.label, p.online) for p in trend], title=f"网上投诉占比{span}", target=percent
                ),
                "satisfaction": charts.line(
                    [(p.label, p.satisfaction) for p in trend], title=f"满意率{span}"
                ),
                "units": charts.target_bars(rows, title=f"{period.label}各单位代理件数与目标")
                if county
                else "",
            },
            "reports": reports,
            "reports_total": reports_total,
            # The state today, whatever the period: units without an agent, agents not yet reported.
            "agents": agent_duty(units),
            "collective": selectors.collective_cases(period, units),
            "report_kinds": ReportKind.choices,
            "frozen": published,
            "nav": "figures",
        },
    )


@requires("manage_targets")
def targets(request):
    form = TargetForm(request.POST or None, units=selectors.tally_units())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = actions.set_target(
                unit=data["unit"],
                monthly_target=data["monthly_target"],
                effective_from=data["effective_from"],
                by=request.user,
                request=request,
            )
        except actions.FiguresError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                f"已设定：{target.unit.name}自{target.effective_from.year}年{target.effective_from.month}月起"
                f"每月代理目标{target.monthly_target}件。",
            )
            return redirect("figures:targets")
    return _targets_page(request, form=form, county_form=CountyTargetForm())


@requires("manage_targets")
@require_POST
def county_target(request):
    form = CountyTargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = actions.set_county_target(
                figure=data["figure"],
                percent=data["percent"],
                effective_from=data["effective_from"],
                basis=data["basis"],
                by=request.user,
                request=request,
            )
        except actions.FiguresError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                f"已设定：自{target.effective_from.year}年{target.effective_from.month}月起，"
                f"全县{target.get_figure_display()}目标{target.percent}%。",
            )
            return redirect("figures:targets")
    return _targets_page(request, form=TargetForm(units=selectors.tally_units()), county_form=form)


def _targets_page(request, *, form, county_form):
    units = list(selectors.tally_units())
    current = selectors.current_targets(units)
    month = first_of_month(timezone.localdate())
    return render(
        request,
        "figures/targets.html",
        {
            "form": form,
            "county_form": county_form,
            "current": [(unit, current[unit.pk]) for unit in units],
            "history": selectors.target_history(units),
            "county_current": [
                (label, selectors.county_target(figure, month)) for figure, label in CountyFigure.choices
            ],
            "county_history": selectors.county_target_history(),
            "nav": "figures",
        },
    )


def _month(request):
    choice = MonthChoiceForm(request.GET or None)
    if choice.is_bound and choice.is_valid():
        return choice, choice.cleaned_data["month"]
    return MonthChoiceForm(initial={"month": first_of_month(timezone.localdate())}), first_of_month(
        timezone.localdate()
    )


@requires("manage_targets")
def tallies(request):
    choice, month = _month(request)
    units = list(selectors.tally_units())
    entered = selectors.tallies_for_month(month, units)
    initial = {TallyGridForm.key(uid, ch): n for (uid, ch), n in entered.items()}
    form = TallyGridForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = actions.save_tallies(
                    month=month, counts=form.counts(), by=request.user, request=request
                )
            except actions.FiguresError as exc:
                add_to_form(form, exc)
            else:
                messages.success(
                    request,
                    f"已保存{month.year}年{month.month}月渠道台账：更新{result['saved']}项，清除{result['removed']}项。",
                )
                return redirect(f"{reverse('figures:tallies')}?month={month:%Y-%m}")
    return render(
        request,
        "figures/tallies.html",
        {
            "choice": choice,
            "month": month,
            "form": form,
            "channels": Channel.choices,
            "upload": TallyUploadForm(),
            "upload_errors": [],
            "nav": "figures",
        },
    )


@requires("manage_targets")
def tally_template(request):
    _, month = _month(request)
    units = list(selectors.tally_units())
    content = workbooks.template(month, units, selectors.tallies_for_month(month, units))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = attachment_header(f"渠道台账-{month:%Y-%m}.xlsx")
    return response


@requires("manage_targets")
@require_POST
def tally_upload(request):
    upload = TallyUploadForm(request.POST, request.FILES)
    units = list(selectors.tally_units())
    errors: Sequence[str] = []
    if upload.is_valid():
        try:
            month, counts = workbooks.read(upload.cleaned_data["file"].read(), units)
            result = actions.save_tallies(
                month=month, counts=counts, by=request.user, source="xlsx", request=request
            )
        except workbooks.WorkbookError as exc:
            errors = exc.errors
        except actions.FiguresError as exc:
            errors = [exc.message]
        else:
            messages.success(
                request,
                f"已导入{month.year}年{month.month}月渠道台账：更新{result['saved']}项，清除{result['removed']}项。",
            )
            return redirect(f"{reverse('figures:tallies')}?month={month:%Y-%m}")
    choice, month = _month(request)
    entered = selectors.tallies_for_month(month, units)
    form = TallyGridForm(units=units, initial={TallyGridForm.key(u, c): n for (u, c), n in entered.items()})
    return render(
        request,
        "figures/tallies.html",
        {
            "choice": choice,
            "month": month,
            "form": form,
            "channels": Channel.choices,
            "upload": upload,
            "upload_errors": errors,
            "nav": "figures",
        },
        status=400,
    )
