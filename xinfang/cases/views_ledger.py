"""The ledger (台账), its exports, the look-up by 查询码, and the worklist (工作台 / 督办看板).

Who sees which unit's rows is the capability table's answer: the ledger and the worklist serve
``view_cases``, the exports ``export_ledger`` and ``export_ledger_full``; a user whose grant
reaches the whole county sees every unit, with a column naming it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from xinfang.access.models import Reach
from xinfang.access.rules import reach
from xinfang.access.views import requires
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import export_jobs, exports, rows, selectors
from xinfang.cases.forms import FullExportForm, LedgerFilterForm
from xinfang.cases.models import ExportStatus
from xinfang.core import crypto, downloads
from xinfang.core.validators import QUERY_CODE_MAX, fold_query_code

LEDGER_PAGE_SIZE = 50


def _county(user, code: str) -> bool:
    """Does ``user`` do ``code`` for every unit (the rows then name their unit)?"""
    return reach(user, code) == Reach.COUNTY


def _search_context(user) -> str:
    return f"cases.ledger.search:{user.pk}"


def _ledger_data(request) -> tuple[QueryDict, bool]:
    """The ledger's filters from the query string. The search words (a name, perhaps) never
    travel in clear: the form is posted, and the address carries them sealed in ``s``, readable
    only by the server and for this user. Returns the data and whether a seal did not open."""
    data = request.GET.copy()
    for name in ("q", "page"):
        data.pop(name, None)
    sealed = data.pop("s", [""])[-1]
    if sealed:
        try:
            data["q"] = crypto.unseal(sealed, _search_context(request.user))
        except crypto.DecryptionError:
            return data, True
    return data, False


def _ledger_filter(request, data=None) -> tuple[LedgerFilterForm, selectors.LedgerFilter]:
    if data is None:
        data, _ = _ledger_data(request)
    form = LedgerFilterForm(data or None)
    if not _county(request.user, "view_cases"):
        del form.fields["unit"]
    flt = selectors.LedgerFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.LedgerFilter(
            month=data["month"],
            status=data["status"],
            q=data["q"],
            kind=data["kind"],
            category=data["category"].pk if data["category"] else None,
            unit=data["unit"].pk if data.get("unit") else None,
        )
    return form, flt


def _ledger_query(request, flt: selectors.LedgerFilter) -> str:
    """The address's query string for ``flt``: the search words sealed."""
    params = {
        "month": flt.month,
        "status": flt.status,
        "category": flt.category or "",
        "unit": flt.unit or "",
        "kind": flt.kind,
        "s": crypto.seal(flt.q.strip(), _search_context(request.user)) if flt.q.strip() else "",
    }
    return urlencode({name: value for name, value in params.items() if value})


@requires("view_cases")
def case_list(request):
    """The ledger. The filter form is posted and answered with a redirect to an address holding
    the filters (the search words sealed): pages, exports and reloads keep them."""
    status = 200
    if request.method == "POST":
        form, flt = _ledger_filter(request, request.POST)
        if form.is_valid():
            query = _ledger_query(request, flt)
            return redirect(reverse("cases:list") + (f"?{query}" if query else ""))
        status = 400
        query = ""
    else:
        data, expired = _ledger_data(request)
        if expired:
            messages.warning(request, "搜索条件已失效（例如数据密钥已更换），请重新输入搜索内容。")
        form, flt = _ledger_filter(request, data)
        query = request.GET.copy()
        for name in ("page", "q") + (("s",) if expired else ()):
            query.pop(name, None)
        query = query.urlencode()
    # Counted as cases alone, then the page's rows read as its template reads them (the page
    # keeps its numbers and links).
    page = Paginator(selectors.ledger(request.user, flt), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = selectors.ledger_page_rows(cast(Any, page.object_list))
    page.object_list = cast(Any, rows.ledger_rows(shown, rows.CaseHref()))
    context = {"form": form, "page": page, "query": query, "nav": "ledger"}
    return render(request, "cases/list.html", context, status=status)


@require_POST
@requires("view_cases")
def find_by_query_code(request):
    """Open a case by its 查询码. Posted, so the code never appears in a URL or an access log."""
    code = fold_query_code(request.POST.get("query_code", ""))[:QUERY_CODE_MAX]
    case = selectors.find_by_query_code(request.user, code) if code else None
    if case is None:
        messages.error(request, "没有找到该查询码对应的事项（只查本单位可见的事项）。")
        return redirect("cases:list")
    return redirect("cases:detail", pk=case.pk)


def _ledger_filters(flt: selectors.LedgerFilter) -> dict:
    """The filters of an export, for its audit row: the search words themselves are left out."""
    return {
        "month": flt.month,
        "status": flt.status,
        "category": flt.category,
        "unit": flt.unit,
        "search": bool(flt.q),
    }


def _ledger_response(request, flt: selectors.LedgerFilter, *, code: str, full: bool) -> StreamingHttpResponse:
    cases = selectors.ledger(request.user, flt, code=code)
    response = StreamingHttpResponse(
        exports.ledger_xlsx(cases, show_unit=_county(request.user, code), full=full),
        content_type=exports.XLSX,
    )
    name = "网上投诉代理台账（完整）.xlsx" if full else "网上投诉代理台账.xlsx"
    response["Content-Disposition"] = exports.attachment_header(name)
    return downloads.mark(request, response)


@requires("export_ledger")
def ledger_export(request):
    """The ledger as .xlsx, masked (ID numbers and phones with the middle digits hidden)."""
    _form, flt = _ledger_filter(request)
    record(
        AuditAction.EXPORT, request=request, target_type="ledger", masked=True, filters=_ledger_filters(flt)
    )
    return _ledger_response(request, flt, code="export_ledger", full=False)


@requires("export_ledger_full")
def ledger_export_full(request):
    """The unmasked ledger, for those the table allows it, on a stated reason (个人信息保护法
    第51条: access to sensitive personal information is limited and recorded).

    1. GET shows the reason form; the ledger filters travel in the query string.
    2. POST with a valid reason writes the audit row (reason, row count, filters), then
       streams the workbook with ID numbers, phones, platform user names and 查询码 whole.
       The platform password is never exported.
    """
    form, flt = _ledger_filter(request)
    reason_form = FullExportForm(request.POST or None)
    rows = selectors.ledger(request.user, flt, code="export_ledger_full").count()
    if request.method == "POST" and reason_form.is_valid():
        record(
            AuditAction.EXPORT,
            request=request,
            target_type="ledger",
            masked=False,
            reason=reason_form.cleaned_data["reason"],
            rows=rows,
            filters=_ledger_filters(flt),
        )
        job = export_jobs.start(request.user, flt, full=True)
        return redirect("cases:export_job", job=job.pk)
    query = request.GET.copy()
    for name in ("page", "q"):
        query.pop(name, None)
    return render(
        request,
        "cases/export_full.html",
        {"form": reason_form, "filter": form, "query": query.urlencode(), "nav": "ledger", "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@requires("export_ledger")
def ledger_export_start(request):
    """The masked ledger as .xlsx, made in the background: the answer is the page that shows
    its progress (a province's ledger takes longer than a proxy waits for one answer)."""
    _form, flt = _ledger_filter(request)
    record(
        AuditAction.EXPORT, request=request, target_type="ledger", masked=True, filters=_ledger_filters(flt)
    )
    job = export_jobs.start(request.user, flt, full=False)
    return redirect("cases:export_job", job=job.pk)


@requires("export_ledger")
def export_job(request, job):
    """An export's progress (rows written of rows in all), then its link. The page asks again
    every second while it runs (htmx: only the card)."""
    job = export_jobs.get_for(request, job)
    context = {"job": job, "running": job.status == ExportStatus.RUNNING, "nav": "ledger"}
    template = "cases/_export_job.html" if request.htmx else "cases/export_job.html"
    return render(request, template, context)


@requires("export_ledger")
def export_job_file(request, job):
    job = export_jobs.get_for(request, job)
    path = export_jobs.path_of(job)
    if job.status != ExportStatus.DONE or not path.exists():
        raise Http404
    name = "网上投诉代理台账（完整）.xlsx" if job.full else "网上投诉代理台账.xlsx"
    response = FileResponse(path.open("rb"), content_type=exports.XLSX)
    response["Content-Disposition"] = exports.attachment_header(name)
    return response


@requires("view_cases")
def work(request):
    """The agent's worklist; for those who see every unit, the same across units (the board).
    Each section lists its first ``WORKLIST_SHOWN`` rows; ``?all=1`` lists every row."""
    shown = None if request.GET.get("all") == "1" else selectors.WORKLIST_SHOWN
    work = selectors.worklist(request.user, shown=shown)
    board = selectors.board_by_unit(work) if _county(request.user, "view_cases") else None
    href = rows.CaseHref()
    work = replace(
        work,
        overdue=rows.clock_rows(work.overdue, href),
        due_soon=rows.clock_rows(work.due_soon, href),
        follow_ups=rows.follow_up_rows(work.follow_ups, href),
        unclocked=rows.unclocked_rows(work.unclocked, href),
    )
    return render(
        request,
        "cases/worklist.html",
        {"work": work, "board": board, "nav": "work", "work_shown": selectors.WORKLIST_SHOWN},
    )
