"""The case's own pages: registering, correcting, the case page, scope, papers and reveals.

Thin views: ``requires`` asks the capability table, ``get_case_for`` fetches the case the user
may act on (or answers a logged 404), one action changes it, a redirect follows. The steps'
pages are in ``views_steps``, the ledger and the worklist in ``views_ledger``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.access.rules import refuse
from xinfang.access.views import requires
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import actions, documents, exports, hooks, intake, scope, selectors, workflow
from xinfang.cases.forms import ComplaintForm, IntakeForm, PetitionerForm, ScopeForm
from xinfang.cases.models import FileKind
from xinfang.core import files
from xinfang.core.errors import DomainError
from xinfang.core.identity import IdKind, validate_document
from xinfang.core.middleware import mark_personal
from xinfang.core.validators import parse_id

BROKEN_FORM = "这张登记表的表单编号无效（页面可能不完整），已为您换上新的表单编号，您填写的内容都保留着，请核对后再次提交。"


def _intake_forms(request, case=None):
    data = request.POST if request.method == "POST" else None
    petitioner_initial = {}
    if case is not None:
        p = case.petitioner
        petitioner_initial = {f: getattr(p, f) for f in actions.PETITIONER_FIELDS}
    return (
        PetitionerForm(data, initial=petitioner_initial),
        ComplaintForm(data, instance=case),
    )


def _open_case(request, petitioner_form, complaint_form, intake_form):
    """The case the posted forms register (or registered at an earlier post), or None with the
    refusal put on a renewed intake form, whose new token lets the agent post again."""
    try:
        case, created = actions.open_case(
            by=request.user,
            token=intake_form.cleaned_data["token"],
            petitioner=petitioner_form.cleaned_data,
            complaint=complaint_form.cleaned_data,
            received_on=intake_form.cleaned_data["received_on"],
            request=request,
        )
    except intake.PetitionerChanged as exc:
        petitioner_form.show_changes(exc)  # nothing was saved: the same token posts again
        return None, intake_form
    except actions.IntakeError as exc:
        return None, IntakeForm.renewed(request.POST, exc.message)
    if created:
        messages.success(request, f"已登记，编号 {case.number}。下一步：判断是否属于代理范围。")
    else:
        messages.warning(
            request,
            f"这张登记表已经提交过，已打开先前登记的事项 {case.number}；如需登记另一件事项，请点“新登记”。",
        )
    return case, intake_form


@requires("case_open")
def case_new(request):
    petitioner_form, complaint_form = _intake_forms(request)
    intake_form = IntakeForm(request.POST) if request.method == "POST" else IntakeForm.blank()
    if request.method == "POST" and all(f.is_valid() for f in (petitioner_form, complaint_form, intake_form)):
        case, intake_form = _open_case(request, petitioner_form, complaint_form, intake_form)
        if case is not None:
            return redirect("cases:detail", pk=case.pk)
    elif request.method == "POST" and "token" in intake_form.errors:
        # A hidden field the agent cannot mend: a new token, and the reason where it shows.
        intake_form = IntakeForm.renewed(request.POST, BROKEN_FORM)
    return render(
        request,
        "cases/form.html",
        {
            "petitioner_form": petitioner_form,
            "complaint_form": complaint_form,
            "intake_form": intake_form,
            "nav": "new",
            "history_url": reverse("cases:history"),
        },
    )


@requires("case_edit")
def case_edit(request, pk):
    case = selectors.get_case_for(request, pk, code="case_edit")
    if not workflow.allows(case.status, "edit"):
        messages.error(request, str(workflow.refusal(case.status, "edit")))
        return redirect("cases:detail", pk=case.pk)
    petitioner_form, complaint_form = _intake_forms(request, case)
    if request.method == "GET":
        # The form shows the petitioner's details whole: opening it is a reveal.
        record(AuditAction.REVEAL, request=request, target=case, field="petitioner_edit_form")
    if request.method == "POST" and petitioner_form.is_valid() and complaint_form.is_valid():
        old_status = case.status
        try:
            case = actions.update_case(
                case,
                by=request.user,
                petitioner=petitioner_form.cleaned_data,
                complaint=complaint_form.cleaned_data,
                request=request,
            )
        except intake.PetitionerChanged as exc:
            petitioner_form.show_changes(exc)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if case.status != old_status:
                messages.warning(
                    request, "已保存。由于修改了与代理范围有关的内容，请重新判断是否属于代理范围。"
                )
            else:
                messages.success(request, "已保存修改。")
        if petitioner_form.changes is None:
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {
            "petitioner_form": petitioner_form,
            "complaint_form": complaint_form,
            "case": case,
            "history_url": reverse("cases:history"),
        },
    )


@require_POST
@requires("petitioner_history")
def petitioner_history(request):
    """Earlier cases of the ID number being typed (htmx). Posted, so the number stays out of URLs and logs."""
    id_number = ""
    error = ""
    raw = request.POST.get("p-id_number", "")
    if raw.strip():
        try:
            id_number = validate_document(request.POST.get("p-id_kind", IdKind.RESIDENT), raw)
        except ValidationError as exc:
            error = exc.messages[0]
    exclude = parse_id(request.POST.get("case"))
    history = selectors.petitioner_history(request.user, id_number, exclude_pk=exclude) if id_number else []
    if id_number:
        # A county-wide look-up by ID number: logged with the number of hits, never the number.
        record(AuditAction.REVEAL, request=request, target_type="petitioner_history", hits=len(history))
    return render(
        request,
        "cases/_history.html",
        {
            "history": history,
            "error": error,
            "checked": bool(id_number),
            "initial": "initial" in request.POST,
        },
    )


def _panels(case, user) -> dict[str, list[tuple[str, dict]]]:
    """The cards the apps above add to the case page (``hooks.panels``): template and context."""
    shown: dict[str, list[tuple[str, dict]]] = {"main": [], "aside": []}
    for panel in hooks.panels():
        context = panel.context(case, user)
        if context is not None:
            shown[panel.column].append((panel.template, context))
    return shown


@requires("view_cases")
def case_detail(request, pk):
    case = selectors.get_case_for(request, pk, with_related=hooks.panel_relations())
    # The case's history and the lists its cards read, each read once: a card finds them in
    # ``case.events.all()``, ``case.deadlines.all()`` … without a query of its own.
    prefetch_related_objects([case], selectors.CASE_EVENTS, *hooks.panel_prefetches())
    events = list(case.events.all())
    steps = selectors.steps_for(case, request.user, events)
    history = selectors.petitioner_history(request.user, case.petitioner.id_number, exclude_pk=case.pk)
    files_by_kind = selectors.files_by_kind(case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "steps": steps,
            "buttons": selectors.case_buttons(case, steps),
            "assessment": scope.assess_case(case),
            "history": history,
            "files_by_kind": files_by_kind,
            "file_kinds": FileKind.choices,
            "has_files": any(files_by_kind.values()),
            "explanation": scope.EXPLANATIONS.get(case.referral_channel, ""),
            "events": events,
            "progress": selectors.progress(case, events),
            "late_steps": selectors.late_steps(case),
            "is_final": case.status in workflow.FINAL,
            "follow_ups": case.follow_ups.select_related("by")[:20],
            "people": selectors.people(case),
            "related": selectors.related(request.user, case),
            "panels": _panels(case, request.user),
            "nav": "ledger",
        },
    )


@requires("case_accept_scope")
def case_scope(request, pk):
    case = selectors.get_case_for(request, pk, code="case_accept_scope")
    form = ScopeForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ScopeForm.IN_SCOPE:
                actions.accept_scope(case, by=request.user, note=form.cleaned_data["note"])
                messages.success(request, "已确认属于代理范围。下一步：打印授权委托书，请信访人签字。")
            else:
                actions.refer_case(
                    case,
                    by=request.user,
                    channel=form.cleaned_data["channel"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, "已按引导办结。请将下方的说明告知信访人。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/scope.html",
        {
            "case": case,
            "form": form,
            "assessment": form.assessment,
            "explanations": scope.EXPLANATIONS,
            "allowed": workflow.allows(case.status, "decide_scope") or workflow.allows(case.status, "refer"),
        },
    )


def _printable_authorization(request, pk):
    """The case whose 授权委托书 may be printed now, or a redirect saying why not."""
    case = selectors.get_case_for(request, pk, code="print_authorization")
    if not workflow.allows(case.status, "print_authorization"):
        messages.error(request, str(workflow.refusal(case.status, "print_authorization")))
        return case, redirect("cases:detail", pk=case.pk)
    return case, None


@requires("print_authorization")
def authorization(request, pk):
    """The 授权委托书 (seed 附件1) as an A4 print view; printing shows the person's details, so it is logged."""
    case, refusal = _printable_authorization(request, pk)
    if refusal:
        return refusal
    each = request.GET.get("each") == "1"
    one_each: dict[str, Any] = {"each": True} if each else {}
    record(
        AuditAction.PRINT, request=request, target=case, document="authorization", format="html", **one_each
    )
    return render(
        request,
        "cases/authorization_print.html",
        {
            "case": case,
            "letters": documents.authorization_letters(case, each=each),
            "each": each,
            "several": case.co_petitioners.exists(),
        },
    )


@requires("print_authorization")
def authorization_docx(request, pk):
    case, refusal = _printable_authorization(request, pk)
    if refusal:
        return refusal
    each = request.GET.get("each") == "1"
    one_each: dict[str, Any] = {"each": True} if each else {}
    record(
        AuditAction.PRINT, request=request, target=case, document="authorization", format="docx", **one_each
    )
    response = HttpResponse(documents.authorization_docx(case, each=each), content_type=documents.DOCX)
    response["Content-Disposition"] = exports.attachment_header(f"授权委托书-{case.number}.docx")
    return response


@requires("view_cases")
def case_file(request, pk, file_pk):
    case_file = selectors.get_case_file_for(request, pk, file_pk)
    stored = case_file.file
    record(
        AuditAction.DOWNLOAD, request=request, target=case_file.case, file=stored.sha256, kind=case_file.kind
    )
    response = HttpResponse(files.read(stored), content_type=stored.content_type)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = exports.attachment_header(files.download_name(stored), disposition)
    mark_personal(response)
    return response


@requires("case_submit")
def prepared(request, pk):
    case = selectors.get_case_for(request, pk, code="case_submit")
    if not workflow.allows(case.status, "prepare"):
        messages.error(request, str(workflow.refusal(case.status, "prepare")))
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/prepared.html",
        {
            "case": case,
            "registration": selectors.registration_fields(case),
            "others": selectors.co_petitioner_fields(case),
            "names": selectors.petitioner_names(case),
            "fields": selectors.platform_fields(case),
            "attachments": selectors.files_by_kind(case)[FileKind.ATTACHMENT],
            "may_submit": workflow.allows(case.status, "submit"),
        },
    )


@require_POST
@requires("reveal_personal")
def reveal(request, pk, field):
    """Show one personal value whole: an explicit read, logged with the field's name only."""
    case = selectors.get_case_for(request, pk, code="reveal_personal")
    value = selectors.revealable(case, field)
    if value is None:
        raise refuse(
            request.user, "reveal_personal", target_type="cases.Case.field", target_id=pk, request=request
        )
    record(AuditAction.REVEAL, request=request, target=case, field=field)
    response = JsonResponse({"value": value})
    mark_personal(response)
    return response
