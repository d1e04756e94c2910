from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.audit import actions, integrity, selectors, words, workbook
from xinfang.audit.forms import AuditFilterForm
from xinfang.audit.selectors import audit_entries
from xinfang.core import downloads

# Up to this many rows the page's button checks the whole chain (a few seconds, see the
# README's figures); beyond, the rows since the last full verification that found nothing.
PAGE_FULL_LIMIT = 200_000


@requires("read_audit")
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    entries = audit_entries(**filters).select_related(None)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    head = selectors.head()
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": words.read(page),
            "query": query.urlencode(),
            "nav": "audit",
            "head": head,
            "last_check": selectors.last_verification(),
            "anchors": selectors.latest_anchors(),
            "checks_all": head is None or head.seq <= PAGE_FULL_LIMIT,
            "page_full_limit": PAGE_FULL_LIMIT,
        },
    )


@requires("export_audit")
def export(request):
    """The rows the filters select as .xlsx, in the page's words; the export is logged first."""
    form = AuditFilterForm(request.GET or None)
    entries = actions.export_log(by=request.user, request=request, filters=form.filters())
    response = StreamingHttpResponse(workbook.log_xlsx(entries), content_type=workbook.XLSX)
    name = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    disposition = content_disposition_header(True, name)
    assert disposition is not None  # an attachment always has one
    response["Content-Disposition"] = disposition
    return downloads.mark(request, response)


@requires("verify_audit")
@require_POST
def verify(request):
    head = selectors.head()
    try:
        report = actions.verify_log(
            by=request.user,
            request=request,
            recent_only=head is not None and head.seq > PAGE_FULL_LIMIT,
            via="page",
        )
    except actions.AuditError as exc:
        messages.error(request, exc.message)
    else:
        scope = "" if report.scope == "full" else f"（本次核验第 {report.from_seq} 条起的记录）"
        (messages.success if report.ok else messages.error)(request, report.summary() + scope)
    return redirect("audit:log")


@requires("verify_audit")
@require_POST
def anchor(request):
    """Write down the head now and hand it to the auditor as a one-line file to keep."""
    try:
        taken = actions.take_anchor(by=request.user, request=request)
    except actions.AuditError as exc:
        messages.error(request, exc.message)
        return redirect("audit:log")
    response = HttpResponse(
        integrity.anchor_line(taken) + "\n", content_type="application/json; charset=utf-8"
    )
    disposition = content_disposition_header(True, f"审计锚点-第{taken.seq}条.jsonl")
    assert disposition is not None  # an attachment always has one
    response["Content-Disposition"] = disposition
    return downloads.mark(request, response)
