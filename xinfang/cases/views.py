"""Thin views: parse the form, fetch through the accessor, call one action, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role
from xinfang.accounts.permissions import role_required
from xinfang.audit.actions import record, refuse
from xinfang.audit.models import AuditAction
from xinfang.cases import actions, documents, exports, scope, selectors, workflow
from xinfang.cases.forms import (
    AttachmentForm,
    AuthorizationForm,
    ComplaintForm,
    IntakeForm,
    LedgerFilterForm,
    PetitionerForm,
    ScopeForm,
    SubmissionForm,
)
from xinfang.cases.models import CaseStatus, FileKind
from xinfang.core import files
from xinfang.core.validators import validate_id_number

READERS = (Role.AGENT, Role.UNIT_HEAD, Role.BUREAU)
WRITERS = (Role.AGENT,)
LEDGER_PAGE_SIZE = 50


def _ledger_filter(request) -> tuple[LedgerFilterForm, selectors.LedgerFilter]:
    form = LedgerFilterForm(request.GET or None)
    if request.user.role != Role.BUREAU:
        del form.fields["unit"]
    flt = selectors.LedgerFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.LedgerFilter(
            month=data["month"], status=data["status"], q=data["q"],
            category=data["category"].pk if data["category"] else None,
            unit=data["unit"].pk if data.get("unit") else None,
        )
    return form, flt


@role_required(*READERS)
def case_list(request):
    form, flt = _ledger_filter(request)
    cases = selectors.ledger(request.user, flt)
    page = Paginator(cases, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "cases/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "ledger",
         "show_unit": request.user.role == Role.BUREAU},
    )


@role_required(*READERS)
def ledger_export(request):
    _form, flt = _ledger_filter(request)
    cases = selectors.ledger(request.user, flt)
    record(
        AuditAction.EXPORT, request=request, target_type="ledger", masked=True,
        filters={"month": flt.month, "status": flt.status, "category": flt.category, "unit": flt.unit,
                 "search": bool(flt.q)},
    )
    response = StreamingHttpResponse(exports.ledger_xlsx(cases, show_unit=request.user.role == Role.BUREAU),
                                     content_type=exports.XLSX)
    response["Content-Disposition"] = exports.attachment_header("网上投诉代理台账.xlsx")
    return response


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


@role_required(*WRITERS)
def case_new(request):
    petitioner_form, complaint_form = _intake_forms(request)
    intake_form = IntakeForm(request.POST) if request.method == "POST" else IntakeForm.blank()
    if request.method == "POST" and all(f.is_valid() for f in (petitioner_form, complaint_form, intake_form)):
        case, created = actions.open_case(
            by=request.user, token=intake_form.cleaned_data["token"],
            petitioner=petitioner_form.cleaned_data, complaint=complaint_form.cleaned_data,
            received_on=intake_form.cleaned_data["received_on"],
        )
        if created:
            messages.success(request, f"已登记，编号 {case.number}。下一步：判断是否属于代理范围。")
        return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/form.html",
        {"petitioner_form": petitioner_form, "complaint_form": complaint_form, "intake_form": intake_form,
         "nav": "new", "history_url": reverse("cases:history")},
    )


@role_required(*WRITERS)
def case_edit(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    if not workflow.allows(case.status, "edit"):
        messages.error(request, str(_refusal(case, "edit")))
        return redirect("cases:detail", pk=case.pk)
    petitioner_form, complaint_form = _intake_forms(request, case)
    if request.method == "POST" and petitioner_form.is_valid() and complaint_form.is_valid():
        old_status = case.status
        try:
            case = actions.update_case(
                case, by=request.user, petitioner=petitioner_form.cleaned_data, complaint=complaint_form.cleaned_data
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            if case.status != old_status:
                messages.warning(request, "已保存。由于修改了与代理范围有关的内容，请重新判断是否属于代理范围。")
            else:
                messages.success(request, "已保存修改。")
        return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/form.html",
        {"petitioner_form": petitioner_form, "complaint_form": complaint_form, "case": case,
         "history_url": reverse("cases:history")},
    )


def _refusal(case, step_name) -> workflow.TransitionError:
    try:
        workflow.check(case.status, step_name)
    except workflow.TransitionError as exc:
        return exc
    return workflow.TransitionError("")


@require_POST
@role_required(*WRITERS)
def petitioner_history(request):
    """Earlier cases of the ID number being typed (htmx). Posted, so the number stays out of URLs and logs."""
    id_number = ""
    error = ""
    raw = request.POST.get("p-id_number", "")
    if raw.strip():
        try:
            id_number = validate_id_number(raw)
        except ValidationError as exc:
            error = exc.messages[0]
    exclude = request.POST.get("case", "")
    exclude = int(exclude) if exclude.isdigit() else None
    history = selectors.petitioner_history(request.user, id_number, exclude_pk=exclude) if id_number else []
    return render(request, "cases/_history.html", {"history": history, "error": error, "checked": bool(id_number)})


@role_required(*READERS)
def case_detail(request, pk):
    case = selectors.get_case_for(request, pk)
    can_write = request.user.role == Role.AGENT
    steps = workflow.available(case.status) if can_write else []
    history = selectors.petitioner_history(request.user, case.petitioner.id_number, exclude_pk=case.pk)
    files_by_kind = selectors.files_by_kind(case)
    return render(
        request, "cases/detail.html",
        {
            "case": case, "can_write": can_write, "steps": {s.name: s for s in steps},
            "assessment": scope.assess_case(case), "history": history,
            "files_by_kind": files_by_kind, "file_kinds": FileKind.choices,
            "has_files": any(files_by_kind.values()),
            "explanation": scope.EXPLANATIONS.get(case.referral_channel, ""),
            "events": case.events.select_related("by"), "progress": selectors.progress(case),
            "nav": "ledger",
        },
    )


@role_required(*WRITERS)
def case_scope(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    form = ScopeForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ScopeForm.IN_SCOPE:
                actions.accept_scope(case, by=request.user, note=form.cleaned_data["note"])
                messages.success(request, "已确认属于代理范围。下一步：打印授权委托书，请信访人签字。")
            else:
                actions.refer_case(
                    case, by=request.user, channel=form.cleaned_data["channel"], note=form.cleaned_data["note"]
                )
                messages.success(request, "已按引导办结。请将下方的说明告知信访人。")
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/scope.html",
        {"case": case, "form": form, "assessment": form.assessment, "explanations": scope.EXPLANATIONS,
         "allowed": workflow.allows(case.status, "decide_scope") or workflow.allows(case.status, "refer")},
    )


@role_required(*WRITERS)
def authorization(request, pk):
    """The 授权委托书 (seed 附件1) as an A4 print view; printing shows the person's details, so it is logged."""
    case = selectors.get_case_for(request, pk, write=True)
    workflow_error = None if workflow.allows(case.status, "print_authorization") else _refusal(case, "print_authorization")
    if workflow_error:
        messages.error(request, str(workflow_error))
        return redirect("cases:detail", pk=case.pk)
    record(AuditAction.PRINT, request=request, target=case, document="authorization", format="html")
    return render(request, "cases/authorization_print.html", {"case": case, "letter": documents.authorization_letter(case)})


@role_required(*WRITERS)
def authorization_docx(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    if not workflow.allows(case.status, "print_authorization"):
        messages.error(request, str(_refusal(case, "print_authorization")))
        return redirect("cases:detail", pk=case.pk)
    record(AuditAction.PRINT, request=request, target=case, document="authorization", format="docx")
    response = HttpResponse(documents.authorization_docx(case), content_type=documents.DOCX)
    response["Content-Disposition"] = exports.attachment_header(f"授权委托书-{case.number}.docx")
    return response


@role_required(*WRITERS)
def authorize(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    form = AuthorizationForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_authorization(
                case, by=request.user, mode=form.cleaned_data["mode"],
                signed_on=form.cleaned_data["signed_on"], scan=form.cleaned_data["scan"],
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记授权委托。下一步：上传诉求附件（如有），按填报内容在平台上提交。")
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/step_form.html", {
        "case": case, "form": form, "title": "登记授权委托", "multipart": True,
        "intro": "信访人在《网上投诉代理授权委托书》上签字（盖章、指印）后，登记填写方式并上传扫描件。",
        "allowed": workflow.allows(case.status, "authorize"), "refusal": _refusal(case, "authorize"),
    })


@role_required(*WRITERS)
def attach(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = actions.attach_files(case, by=request.user, uploads=form.cleaned_data["files"])
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已上传 {len(added)} 个附件。")
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/step_form.html", {
        "case": case, "form": form, "title": "上传诉求附件", "multipart": True,
        "intro": "信访人有纸质佐证材料的，扫描后作为附件上传，与网上投诉一并提交。",
        "allowed": workflow.allows(case.status, "attach"), "refusal": _refusal(case, "attach"),
    })


@role_required(*READERS)
def case_file(request, pk, file_pk):
    case_file = selectors.get_case_file_for(request, pk, file_pk)
    stored = case_file.file
    record(AuditAction.DOWNLOAD, request=request, target=case_file.case, file=stored.sha256, kind=case_file.kind)
    response = HttpResponse(files.read(stored), content_type=stored.content_type)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = exports.attachment_header(files.download_name(stored), disposition)
    response.personal_data = True
    return response


@role_required(*WRITERS)
def prepared(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    if not workflow.allows(case.status, "prepare"):
        messages.error(request, str(_refusal(case, "prepare")))
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/prepared.html", {
        "case": case, "registration": selectors.registration_fields(case),
        "fields": selectors.platform_fields(case), "attachments": selectors.files_by_kind(case)[FileKind.ATTACHMENT],
    })


@require_POST
@role_required(*WRITERS)
def reveal(request, pk, field):
    """Show one personal value whole: an explicit action, logged with the field's name only."""
    case = selectors.get_case_for(request, pk, write=True)
    value = selectors.revealable(case, field)
    if value is None:
        raise refuse(request, target_type="cases.Case.field", target_id=pk)
    record(AuditAction.REVEAL, request=request, target=case, field=field)
    response = JsonResponse({"value": value})
    response.personal_data = True
    return response


@role_required(*WRITERS)
def submit(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    form = SubmissionForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_submission(
                case, by=request.user, platform=data["platform"], username=data["username"],
                password=data["password"], query_code=data["query_code"], submitted_at=data["submitted_at"],
                registration_scan=data["registration_scan"],
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记网上提交。请按时跟踪办理进展。")
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/step_form.html", {
        "case": case, "form": form, "title": "登记网上提交", "multipart": True,
        "intro": "在平台上提交成功后，登记平台账户、查询码和提交时间。账户密码加密保存。",
        "allowed": workflow.allows(case.status, "submit"), "refusal": _refusal(case, "submit"),
        "status_submitted": CaseStatus.SUBMITTED,
    })
