"""The rest of the API: who the token acts as, risk reports, the figures of a period (the
dashboard's selectors; a published month as frozen), the official calendar and the due-date
calculator, and the public progress look-up (no token; the page's own limits)."""

from __future__ import annotations

import datetime
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from pydantic import Field

from xinfang.access import rules
from xinfang.access.models import Role
from xinfang.api import idempotency, present
from xinfang.api.auth import anonymous
from xinfang.api.problems import form_problem, problem
from xinfang.api.routes_cases import ID
from xinfang.api.schemas import (
    CalendarOut,
    DisposalIn,
    DueOut,
    Figures,
    Me,
    Progress,
    ReportDetail,
    ReportIn,
    ReportPage,
    TrackIn,
)
from xinfang.api.v1 import ERRORS, check, respond
from xinfang.cases.models import Case
from xinfang.core.forms import DB_INT_MAX
from xinfang.deadlines import selectors as clocks
from xinfang.deadlines.calculator import calculate
from xinfang.deadlines.forms import CalculatorForm
from xinfang.deadlines.models import CalendarYear
from xinfang.figures import frozen
from xinfang.figures import selectors as figures
from xinfang.figures.forms import PeriodForm
from xinfang.oversight import actions as oversight
from xinfang.oversight import selectors as reports
from xinfang.oversight.forms import DisposalForm, ReportForm
from xinfang.public import actions as public
from xinfang.public import selectors as public_selectors
from xinfang.public.forms import TrackForm

router = Router()


@router.get(
    "/me",
    response={200: Me, **ERRORS},
    operation_id="me",
    summary="本令牌的账户、角色、单位和权限",
    tags=["账户"],
)
def me(request):
    user, token = request.user, request.api_token
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.full_name,
        "role": user.role,
        "role_label": Role(user.role).label,
        "unit": present.ref(user.unit),
        "capabilities": present.capabilities(user),
        "token": token.prefix,
        "token_expires_at": token.expires_at,
        "requests_per_minute": settings.API_REQUESTS_PER_MINUTE,
    }


# --- Risk reports -------------------------------------------------------------------------------------


class ReportFilter(Schema):
    cursor: int | None = Field(None, ge=1, le=ID, description="上一页答复中的 next_cursor")
    limit: int = Field(50, ge=1, le=100)


@router.get(
    "/reports",
    response={200: ReportPage, **ERRORS},
    operation_id="list_reports",
    summary="风险和信访动态报告",
    tags=["风险报告"],
)
def list_reports(request, filters: Query[ReportFilter]):
    check(request, "view_reports")
    rows = reports.report_list(request.user, reports.ReportFilter())
    if filters.cursor:
        rows = rows.filter(pk__lt=filters.cursor)
    found = list(rows.order_by("-id")[: filters.limit + 1])
    more = len(found) > filters.limit
    found = found[: filters.limit]
    return {
        "items": [present.report_row(r) for r in found],
        "next_cursor": str(found[-1].pk) if more else None,
    }


@router.get(
    "/reports/{report_id}",
    response={200: ReportDetail, **ERRORS},
    operation_id="get_report",
    summary="一份风险报告",
    tags=["风险报告"],
)
def get_report(request, report_id: int = Path(..., ge=1, le=ID)):
    check(request, "view_reports")
    return present.report_detail(reports.get_report_for(request, report_id))


@router.post(
    "/reports",
    response={201: ReportDetail, **ERRORS},
    operation_id="file_report",
    summary="报告风险或信访动态",
    description="与“报告风险”页面相同：代理员为本单位报告，关联的事项只能是本单位的。",
    tags=["风险报告"],
    openapi_extra={"x-idempotent": True},
)
def file_report(request, body: ReportIn):
    check(request, "file_report")
    return idempotency.once(request, lambda: _file_report(request, body), payload=body.model_dump())


def _file_report(request, body: ReportIn):
    if body.case is not None:  # another unit's case, or none: refused (404) and logged
        rules.get_or_refuse(Case.objects.all(), request.user, "file_report", body.case, request=request)
    data = {k: str(v) for k, v in body.model_dump().items() if v is not None}
    form = ReportForm(data, user=request.user)
    if not form.is_valid():
        return form_problem(form)
    made = oversight.file_report(by=request.user, **form.cleaned_data)
    return respond(ReportDetail, present.report_detail(reports.get_report_for(request, made.pk)), status=201)


def _handle(request, report_id: int, work) -> object:
    check(request, "handle_reports")
    report = reports.get_report_for(request, report_id)
    work(report)
    return respond(ReportDetail, present.report_detail(reports.get_report_for(request, report.pk)))


@router.post(
    "/reports/{report_id}/acknowledge",
    response={200: ReportDetail, **ERRORS},
    operation_id="acknowledge_report",
    summary="签收风险报告",
    tags=["风险报告"],
    openapi_extra={"x-idempotent": True},
)
def acknowledge_report(request, report_id: int = Path(..., ge=1, le=ID)):
    def work():
        return _handle(request, report_id, lambda r: oversight.acknowledge_report(r, by=request.user))

    return idempotency.once(request, work)


@router.post(
    "/reports/{report_id}/disposal",
    response={200: ReportDetail, **ERRORS},
    operation_id="record_disposal",
    summary="登记风险报告的处置情况",
    tags=["风险报告"],
    openapi_extra={"x-idempotent": True},
)
def record_disposal(request, body: DisposalIn, report_id: int = Path(..., ge=1, le=ID)):
    def work():
        form = DisposalForm(body.model_dump())
        if not form.is_valid():
            return form_problem(form)
        disposal = form.cleaned_data["disposal"]
        return _handle(
            request, report_id, lambda r: oversight.record_disposal(r, by=request.user, disposal=disposal)
        )

    return idempotency.once(request, work, payload=body.model_dump())


# --- Figures ----------------------------------------------------------------------------------------------


class PeriodQuery(Schema):
    kind: Literal["month", "quarter", "year", "range"] = Field("month", description="统计周期")
    month: str | None = Field(
        None, pattern=r"^[0-9]{4}-[0-9]{1,2}$", description="月份，如 2026-03（默认本月）"
    )
    year: int | None = Field(None, ge=2000, le=2100)
    quarter: int | None = Field(None, ge=1, le=4)
    start: datetime.date | None = None
    end: datetime.date | None = None
    unit: int | None = Field(None, ge=1, le=DB_INT_MAX, description="只看一个单位（须在本账户可见的单位中）")


@router.get(
    "/figures",
    response={200: Figures, **ERRORS},
    operation_id="figures",
    summary="一个统计周期的各单位数字（与统计看板相同；已发布通报的月份按发布时冻结）",
    tags=["统计"],
)
def get_figures(request, query: Query[PeriodQuery]):
    check(request, figures.VIEW)
    data = {k: v for k, v in query.model_dump().items() if v is not None and k != "unit"}
    if data["kind"] == "month" and "month" not in data:
        data["month"] = f"{timezone.localdate():%Y-%m}"  # the dashboard's default: this month
    form = PeriodForm(data)
    if not form.is_valid():
        return form_problem(form)
    period = form.period()
    units = figures.units_or_404(request.user)
    if query.unit is not None:
        units = [u for u in units if u.pk == query.unit]
        if not units:
            return problem(404, "not_found", "没有找到该单位，或您无权查看其统计。", field="unit")
    county = figures.sees_county(request.user) and query.unit is None
    rows = figures.unit_figures(period, units)
    target = figures.online_share_target(period) if county else None
    percent = target.percent if target else None
    total = figures.county_totals(rows, online_target=percent) if county else None
    shown = [(row, present.ref(row.unit)) for row in rows]
    published = frozen.frozen_month(period, rows, county=county, online_target=percent)
    if published is not None:
        ids = {u.pk: u.name for u in units}
        kept = [r["unit_id"] for r in published.bulletin.figures["units"] if r["unit_id"] in ids]
        shown = [(row, {"id": pk, "name": ids[pk]}) for row, pk in zip(published.rows, kept, strict=True)]
        total = published.total
    return {
        "period": period.label,
        "kind": period.kind,
        "start": period.start,
        "end": period.end,
        "as_of": period.as_of(timezone.localdate()),
        "frozen": published is not None,
        "bulletin": str(published.bulletin.issue_number) if published is not None else None,
        "units": [present.figure_row(row, unit) for row, unit in shown],
        "county": present.figure_row(total, None) if total is not None else None,
    }


# --- The official calendar -------------------------------------------------------------------------------


class DueQuery(Schema):
    start: datetime.date = Field(description="起算日（当日不计入）")
    length: int = Field(ge=0, le=3650, description="期限长度")
    day_count: Literal["calendar", "workdays"] = Field(
        "calendar", description="自然日 calendar / 工作日 workdays"
    )


@router.get(
    "/calendar/due",
    response={200: DueOut, **ERRORS},
    operation_id="due_date",
    summary="按官方日历计算届满日",
    tags=["期限与日历"],
)
def due_date(request, query: Query[DueQuery]):
    check(request, "use_calculator")
    form = CalculatorForm(
        {"start": query.start.isoformat(), "length": query.length, "day_count": query.day_count}
    )
    if not form.is_valid():
        return form_problem(form)
    data = form.cleaned_data
    result = calculate(data["start"], data["length"], data["day_count"])
    return {
        "start": result.start,
        "length": result.length,
        "day_count": result.day_count,
        "due_on": result.due_on,
        "provisional": result.result.provisional,
        "steps": [s.text for s in result.steps],
    }


@router.get(
    "/calendar/{year}",
    response={200: CalendarOut, **ERRORS},
    operation_id="calendar",
    summary="一年的法定节假日和调休上班日（期限按此计算）",
    tags=["期限与日历"],
)
def calendar(request, year: int = Path(..., ge=2000, le=2100)):
    check(request, "use_calculator")
    holidays, workdays = clocks.year_days(year)
    return {
        "year": year,
        "entered": CalendarYear.objects.filter(year=year).exists(),
        "holidays": [{"date": d.date, "name": d.name} for d in holidays],
        "workdays": [{"date": d.date, "name": d.name} for d in workdays],
    }


# --- The public look-up ------------------------------------------------------------------------------------


@router.post(
    "/public/track",
    response={200: Progress, **ERRORS},
    auth=None,
    operation_id="track",
    summary="办理进度查询（查询码和手机号后四位；无需令牌）",
    description="与公开页面“办理进度查询”相同：只答复编号、状态、各环节日期和期限，不含任何个人信息；"
    "同一地址或同一查询码连续输错5次，暂停10分钟（429，Retry-After）。",
    tags=["公开查询"],
)
def track(request, body: TrackIn):
    anonymous(request)
    form = TrackForm(body.model_dump())
    if not form.is_valid():
        return form_problem(form)
    case = public.look_up(code=form.cleaned_data["code"], last4=form.cleaned_data["last4"], request=request)
    progress = public_selectors.progress(case)
    return {
        "number": progress.number,
        "status": progress.status,
        "status_label": progress.status_label,
        "steps": [{"label": s.label, "on": s.on} for s in progress.steps],
        "deadlines": [
            {"name": d.deadline.clock.name, "due_on": d.deadline.due_on, "state": d.state}
            for d in progress.deadlines
        ],
        "delivered": progress.delivered,
        "rated": progress.rated,
    }
