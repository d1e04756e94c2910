"""Thin views: fetch the case through the capability table, call one action, redirect.

Who records ratings (``record_rating``), fills the 反馈表 (``record_feedback``) and reads,
prints and downloads it (``view_feedback``) is the table's answer; every case is fetched with
``get_case_for`` and that capability, which answers 404 (and logs it) for a case the user may
not act on.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from xinfang.access.rules import refuse
from xinfang.access.views import requires
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases.exports import attachment_header
from xinfang.cases.selectors import get_case_for
from xinfang.core import files
from xinfang.core.errors import DomainError, add_to_form
from xinfang.core.middleware import mark_personal
from xinfang.ratings import actions, documents, forms_batch, selectors
from xinfang.ratings.forms import FeedbackEntryForm, RatingForm
from xinfang.ratings.models import Satisfaction


@requires("record_rating")
def rate(request, pk):
    case = get_case_for(request, pk, code="record_rating")
    refusal = actions.rating_refusal(case)
    form = RatingForm(request.POST or None, case=case)
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        try:
            rating = actions.record_rating(
                case,
                by=request.user,
                channel=data["channel"],
                office_satisfaction=data["office_satisfaction"],
                body_satisfaction=data["body_satisfaction"],
                comment=data["comment"],
                instruction_means=data["instruction_means"],
                instructed_at=data["instructed_at"],
                rated_on=data["rated_on"],
                request=request,
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            if rating.is_unsatisfied:
                messages.warning(
                    request,
                    "已登记评价。信访人不满意，已提醒县信访局；请按下方提示做好解释疏导，引导信访人依法申请复查。",
                )
            else:
                messages.success(request, "已登记评价。")
            return redirect("cases:detail", pk=case.pk)
    return render(request, "ratings/rate.html", {"case": case, "form": form, "refusal": refusal})


@requires("record_rating")
def batch(request):
    """The unit's delivered, unrated cases in one grid: the 反馈表 results and the ratings of a
    round of deliveries at once. Rows left as shown are skipped; the rest are saved together or
    not at all, each case's events as on its own pages (``actions.record_batch``)."""
    if request.method == "POST":
        ids = forms_batch.posted_ids(request.POST)
        if ids is None:
            messages.error(request, "表格内容不完整，请重新填写。")
            return redirect("ratings:batch")
        formset = forms_batch.BatchFormSet(
            request.POST, cases=selectors.rows_posted(request.user, ids, request=request)
        )
        if formset.is_valid():
            touched = formset.touched()
            if not touched:
                messages.info(request, "没有填写任何事项：请至少填写一行。")
            else:
                try:
                    rated = actions.record_batch(
                        [form.row() for form in touched], by=request.user, request=request
                    )
                except actions.BatchError as exc:
                    add_to_form(touched[exc.row], exc)
                else:
                    _batch_saved(request, rated, touched)
                    return redirect("ratings:batch")
    else:
        cases = list(selectors.batch_cases(request.user)[: selectors.BATCH_ROWS])
        formset = forms_batch.BatchFormSet(cases=cases)
    return render(
        request,
        "ratings/batch.html",
        {
            "formset": formset,
            "faulty": [(i + 1, form) for i, form in enumerate(formset.forms) if form.errors],
            "more": selectors.batch_cases(request.user).count() > selectors.BATCH_ROWS,
            "batch_rows": selectors.BATCH_ROWS,
            "nav": "work",
        },
    )


def _batch_saved(request, rated: int, rows) -> None:
    unsatisfied = sum(
        Satisfaction.UNSATISFIED
        in (form.cleaned_data["office_satisfaction"], form.cleaned_data["body_satisfaction"])
        for form in rows
    )
    messages.success(request, f"已保存{rated}件事项的反馈表和满意度评价。")
    if unsatisfied:
        messages.warning(
            request,
            f"其中{unsatisfied}件信访人不满意，已提醒县信访局；请逐件做好解释疏导，引导信访人依法申请复查。",
        )


@requires("record_feedback")
def feedback(request, pk):
    case = get_case_for(request, pk, code="record_feedback")
    instance = selectors.feedback_for(case)
    refusal = actions.feedback_refusal(case)
    form = FeedbackEntryForm(request.POST or None, request.FILES or None, case=case, instance=instance)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            actions.save_feedback_form(
                case, by=request.user, data=form.cleaned_data, signed_scan=form.cleaned_data["signed_scan"]
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                "已保存反馈表。" if instance else "已保存反馈表。可打印后请信访人签字，再上传扫描件。",
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "ratings/feedback_form.html",
        {
            "case": case,
            "form": form,
            "instance": instance,
            "refusal": refusal,
            "sheet": documents.feedback_sheet(case, instance),
        },
    )


def _printable(request, pk):
    """The case and its saved form; a blank form only where one may be filled now."""
    case = get_case_for(request, pk, code="view_feedback")
    form = selectors.feedback_for(case)
    refusal = None if form is not None else actions.feedback_refusal(case)
    return case, form, refusal


@requires("view_feedback")
def feedback_print(request, pk):
    """The 反馈表 (seed 附件2) as an A4 print view; it shows the person's name, so it is logged."""
    case, form, refusal = _printable(request, pk)
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:detail", pk=case.pk)
    record(AuditAction.PRINT, request=request, target=case, document="feedback", format="html")
    return render(
        request,
        "ratings/feedback_print.html",
        {
            "case": case,
            "form": form,
            "sheet": documents.feedback_sheet(case, form),
        },
    )


@requires("view_feedback")
def feedback_docx(request, pk):
    case, form, refusal = _printable(request, pk)
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:detail", pk=case.pk)
    record(AuditAction.PRINT, request=request, target=case, document="feedback", format="docx")
    response = HttpResponse(documents.feedback_docx(case, form), content_type=documents.DOCX)
    response["Content-Disposition"] = attachment_header(f"反馈表-{case.number}.docx")
    return response


@requires("view_feedback")
def feedback_scan(request, pk):
    case = get_case_for(request, pk, code="view_feedback")
    form = selectors.feedback_for(case)
    if form is None or form.signed_scan is None:
        raise refuse(
            request.user,
            "view_feedback",
            target_type="ratings.FeedbackForm.signed_scan",
            target_id=pk,
            request=request,
        )
    stored = form.signed_scan
    record(AuditAction.DOWNLOAD, request=request, target=case, file=stored.sha256, kind="feedback_scan")
    response = HttpResponse(files.read(stored), content_type=stored.content_type)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = attachment_header(files.download_name(stored), disposition)
    mark_personal(response)
    return response
