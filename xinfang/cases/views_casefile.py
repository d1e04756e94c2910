"""A case's file (归档) as a .zip, and the monthly 台账 to print.

The case file serves ``export_case_file`` (masked) and ``export_case_file_full`` (whole, on a
stated reason); the print view ``export_ledger`` for one unit and month. Each is an audit row:
who, which case or unit and month, masked or not and why, how many files or rows.
"""

from __future__ import annotations

from typing import cast

from django.forms import ModelChoiceField
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinfang.access.models import Reach
from xinfang.access.rules import reach, scoped_units
from xinfang.access.views import requires
from xinfang.accounts.models import Unit
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import casefile, exports, selectors
from xinfang.cases.forms import CaseFileReasonForm, LedgerPrintForm
from xinfang.core import downloads
from xinfang.core.middleware import mark_personal


def _who(user) -> str:
    return f"{user.full_name}（{user.unit.name}）" if user.unit_id else user.full_name


def _zip_response(request, case_file: casefile.CaseFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(casefile.zip_chunks(case_file), content_type=casefile.ZIP)
    response["Content-Disposition"] = exports.attachment_header(case_file.filename)
    mark_personal(response)
    return downloads.mark(request, response)


def _record(request, case_file: casefile.CaseFile) -> None:
    record(
        AuditAction.EXPORT,
        request=request,
        target=case_file.case,
        document="case_file",
        masked=not case_file.full,
        files=len(case_file.papers),
        **({"reason": case_file.reason} if case_file.full else {}),
    )


@requires("export_case_file")
def case_file(request, pk):
    """The case file, masked: one click on the case page."""
    case = selectors.get_case_for(request, pk, code="export_case_file")
    made = casefile.case_file(case, full=False, made_by=_who(request.user))
    _record(request, made)
    return _zip_response(request, made)


@requires("export_case_file_full")
def case_file_full(request, pk):
    """The case file with every value whole (个人信息保护法 第51条: access to sensitive personal
    information is limited and recorded): GET asks why, a valid POST logs the reason and sends it."""
    case = selectors.get_case_for(request, pk, code="export_case_file_full")
    form = CaseFileReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        made = casefile.case_file(case, full=True, made_by=_who(request.user), reason=reason)
        _record(request, made)
        return _zip_response(request, made)
    return render(
        request,
        "cases/case_file_full.html",
        {"case": case, "form": form, "nav": "ledger"},
        status=400 if request.method == "POST" else 200,
    )


@requires("export_ledger")
def ledger_print(request):
    """The 台账 of one unit for one month (by 接待日期), A4 landscape, masked as the export.
    Those who see every unit choose the unit; the others print their own."""
    county = reach(request.user, "export_ledger") == Reach.COUNTY
    form = LedgerPrintForm(request.GET)
    if county:
        units = cast(ModelChoiceField, form.fields["unit"])
        units.queryset = scoped_units(Unit.objects.all(), request.user, "export_ledger")
    else:
        del form.fields["unit"]
    unit, printed, month = None, None, ""
    if form.is_valid():
        month = form.cleaned_data["month"]
        unit = form.cleaned_data.get("unit") if county else request.user.unit
    if unit is not None:
        flt = selectors.LedgerFilter(month=month, unit=unit.pk)
        cases = selectors.ledger(request.user, flt, code="export_ledger").order_by("received_on", "pk")
        printed = exports.ledger_printed(cases)
        record(
            AuditAction.PRINT,
            request=request,
            target_type="ledger",
            document="ledger_month",
            month=month,
            unit=unit.name,
            rows=len(printed.rows),
        )
    year, _, number = month.partition("-")
    return render(
        request,
        "cases/ledger_print.html",
        {
            "form": form,
            "unit": unit,
            "printed": printed,
            "month_label": f"{year}年{int(number)}月" if number else "",
            "today": timezone.localdate(),
            "nav": "ledger",
        },
    )
