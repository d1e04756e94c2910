"""Thin views: parse the form, fetch through the accessor, call one action, redirect."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role
from xinfang.accounts.permissions import role_required
from xinfang.audit.actions import record, refuse
from xinfang.audit.models import AuditAction
from xinfang.cases import actions, documents, exports, scope, selectors, workflow
from xinfang.cases.forms import (
    STEP_FORMS,
    AttachmentForm,
    AuthorizationForm,
    ComplaintForm,
    FollowUpForm,
    FullExportForm,
    IntakeForm,
    LedgerFilterForm,
    PetitionerForm,
    ScopeForm,
    SubmissionForm,
)
from xinfang.cases.models import CaseStatus, FileKind
from xinfang.core import crypto, downloads, files
from xinfang.core.validators import parse_id, validate_id_number
from xinfang.deadlines import selectors as deadline_selectors
from xinfang.ratings import selectors as ratings_selectors

READERS = (Role.AGENT, Role.UNIT_HEAD, Role.BUREAU)
WRITERS = (Role.AGENT,)
LEDGER_PAGE_SIZE = 50


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
    if request.user.role != Role.BUREAU:
        del form.fields["unit"]
    flt = selectors.LedgerFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.LedgerFilter(
            month=data["month"],
            status=data["status"],
            q=data["q"],
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
        "s": crypto.seal(flt.q.strip(), _search_context(request.user)) if flt.q.strip() else "",
    }
    return urlencode({name: value for name, value in params.items() if value})


@role_required(*READERS)
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
    cases = selectors.ledger(request.user, flt)
    page = Paginator(cases, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "nav": "ledger",
            "show_unit": request.user.role == Role.BUREAU,
        },
        status=status,
    )


@require_POST
@role_required(*READERS)
def find_by_query_code(request):
    """Open a case by its 查询码. Posted, so the code never appears in a URL or an access log."""
    code = "".join(request.POST.get("query_code", "").split())[:60]
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


def _ledger_response(request, flt: selectors.LedgerFilter, *, full: bool) -> StreamingHttpResponse:
    cases = selectors.ledger(request.user, flt)
    response = StreamingHttpResponse(
        exports.ledger_xlsx(cases, show_unit=request.user.role == Role.BUREAU, full=full),
        content_type=exports.XLSX,
    )
    name = "网上投诉代理台账（完整）.xlsx" if full else "网上投诉代理台账.xlsx"
    response["Content-Disposition"] = exports.attachment_header(name)
    return downloads.mark(request, response)


@role_required(*READERS)
def ledger_export(request):
    """The ledger as .xlsx, masked (ID numbers and phones with the middle digits hidden)."""
    _form, flt = _ledger_filter(request)
    record(
        AuditAction.EXPORT, request=request, target_type="ledger", masked=True, filters=_ledger_filters(flt)
    )
    return _ledger_response(request, flt, full=False)


@role_required(Role.BUREAU)
def ledger_export_full(request):
    """The unmasked ledger, for bureau staff only, on a stated reason (个人信息保护法 第51条:
    access to sensitive personal information is limited and recorded).

    1. GET shows the reason form; the ledger filters travel in the query string.
    2. POST with a valid reason writes the audit row (reason, row count, filters), then
       streams the workbook with ID numbers, phones, platform user names and 查询码 whole.
       The platform password is never exported.
    """
    form, flt = _ledger_filter(request)
    reason_form = FullExportForm(request.POST or None)
    if request.method == "POST" and reason_form.is_valid():
        rows = selectors.ledger(request.user, flt).count()
        record(
            AuditAction.EXPORT,
            request=request,
            target_type="ledger",
            masked=False,
            reason=reason_form.cleaned_data["reason"],
            rows=rows,
            filters=_ledger_filters(flt),
        )
        return _ledger_response(request, flt, full=True)
    query = request.GET.copy()
    for name in ("page", "q"):
        query.pop(name, None)
    return render(
        request,
        "cases/export_full.html",
        {
            "form": reason_form,
            "filter": form,
            "query": query.urlencode(),
            "nav": "ledger",
            "rows": selectors.ledger(request.user, flt).count(),
        },
        status=400 if request.method == "POST" else 200,
    )


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


BROKEN_FORM = "这张登记表的表单编号无效（页面可能不完整），已为您换上新的表单编号，您填写的内容都保留着，请核对后再次提交。"


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
        )
    except actions.IntakeError as exc:
        if exc.foreign_case is not None:  # a crafted or mixed-up form: a refused access
            record(
                AuditAction.ACCESS_DENIED,
                request=request,
                target_type="cases.Case",
                target_id=exc.foreign_case,
            )
        return None, IntakeForm.renewed(request.POST, exc.message)
    if created:
        messages.success(request, f"已登记，编号 {case.number}。下一步：判断是否属于代理范围。")
    else:
        messages.warning(
            request,
            f"这张登记表已经提交过，已打开先前登记的事项 {case.number}；如需登记另一件事项，请点“新登记”。",
        )
    return case, intake_form


@role_required(*WRITERS)
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


@role_required(*WRITERS)
def case_edit(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    if not workflow.allows(case.status, "edit"):
        messages.error(request, str(_refusal(case, "edit")))
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
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            if case.status != old_status:
                messages.warning(
                    request, "已保存。由于修改了与代理范围有关的内容，请重新判断是否属于代理范围。"
                )
            else:
                messages.success(request, "已保存修改。")
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
    exclude = parse_id(request.POST.get("case"))
    history = selectors.petitioner_history(request.user, id_number, exclude_pk=exclude) if id_number else []
    if id_number:
        # A county-wide look-up by ID number: logged with the number of hits, never the number.
        record(AuditAction.REVEAL, request=request, target_type="petitioner_history", hits=len(history))
    return render(
        request, "cases/_history.html", {"history": history, "error": error, "checked": bool(id_number)}
    )


@role_required(*READERS)
def case_detail(request, pk):
    case = selectors.get_case_for(request, pk)
    can_write = request.user.role == Role.AGENT
    steps = {s.name: s for s in workflow.available(case.status)} if can_write else {}
    history = selectors.petitioner_history(request.user, case.petitioner.id_number, exclude_pk=case.pk)
    files_by_kind = selectors.files_by_kind(case)
    handling_steps = [steps[name] for name in workflow.HANDLING_STEPS if name in steps]
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "can_write": can_write,
            "steps": steps,
            "assessment": scope.assess_case(case),
            "history": history,
            "files_by_kind": files_by_kind,
            "file_kinds": FileKind.choices,
            "has_files": any(files_by_kind.values()),
            "explanation": scope.EXPLANATIONS.get(case.referral_channel, ""),
            "events": case.events.select_related("by"),
            "progress": selectors.progress(case),
            "is_final": case.status in workflow.FINAL,
            "handling_steps": handling_steps,
            "primary_step": next((s.name for s in handling_steps if s.target and s.name != "withdraw"), ""),
            "deadlines": deadline_selectors.deadlines_for_case(case),
            "follow_ups": case.follow_ups.select_related("by")[:20],
            "ratings": ratings_selectors.case_panel(case),
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
                    case,
                    by=request.user,
                    channel=form.cleaned_data["channel"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, "已按引导办结。请将下方的说明告知信访人。")
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
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


@role_required(*WRITERS)
def authorization(request, pk):
    """The 授权委托书 (seed 附件1) as an A4 print view; printing shows the person's details, so it is logged."""
    case = selectors.get_case_for(request, pk, write=True)
    workflow_error = (
        None if workflow.allows(case.status, "print_authorization") else _refusal(case, "print_authorization")
    )
    if workflow_error:
        messages.error(request, str(workflow_error))
        return redirect("cases:detail", pk=case.pk)
    record(AuditAction.PRINT, request=request, target=case, document="authorization", format="html")
    return render(
        request,
        "cases/authorization_print.html",
        {"case": case, "letter": documents.authorization_letter(case)},
    )


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
                case,
                by=request.user,
                mode=form.cleaned_data["mode"],
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "已登记授权委托。下一步：上传诉求附件（如有），按填报内容在平台上提交。"
            )
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": "登记授权委托",
            "multipart": True,
            "intro": "信访人在《网上投诉代理授权委托书》上签字（盖章、指印）后，登记填写方式并上传扫描件。",
            "allowed": workflow.allows(case.status, "authorize"),
            "refusal": _refusal(case, "authorize"),
        },
    )


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
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": "上传诉求附件",
            "multipart": True,
            "intro": "信访人有纸质佐证材料的，扫描后作为附件上传，与网上投诉一并提交。",
            "allowed": workflow.allows(case.status, "attach"),
            "refusal": _refusal(case, "attach"),
        },
    )


@role_required(*READERS)
def case_file(request, pk, file_pk):
    case_file = selectors.get_case_file_for(request, pk, file_pk)
    stored = case_file.file
    record(
        AuditAction.DOWNLOAD, request=request, target=case_file.case, file=stored.sha256, kind=case_file.kind
    )
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
    return render(
        request,
        "cases/prepared.html",
        {
            "case": case,
            "registration": selectors.registration_fields(case),
            "fields": selectors.platform_fields(case),
            "attachments": selectors.files_by_kind(case)[FileKind.ATTACHMENT],
        },
    )


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
                case,
                by=request.user,
                platform=data["platform"],
                username=data["username"],
                password=data["password"],
                query_code=data["query_code"],
                submitted_at=data["submitted_at"],
                registration_scan=data["registration_scan"],
            )
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记网上提交。请按时跟踪办理进展。")
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": "登记网上提交",
            "multipart": True,
            "intro": "在平台上提交成功后，登记平台账户、查询码和提交时间。账户密码加密保存。",
            "allowed": workflow.allows(case.status, "submit"),
            "refusal": _refusal(case, "submit"),
            "status_submitted": CaseStatus.SUBMITTED,
        },
    )


# --- After submission --------------------------------------------------------------------------


def _optional_document(d):
    return {"document": d.get("document") or None}


STEP_ACTIONS = {
    "forward": lambda c, by, d: actions.forward_case(
        c, by=by, forwarded_on=d["on"], mode=d["mode"], handling_body=d["handling_body"]
    ),
    "receive": lambda c, by, d: actions.record_receipt(c, by=by, received_on=d["on"]),
    "accept": lambda c, by, d: actions.accept_case(c, by=by, accepted_on=d["on"]),
    "not_accept": lambda c, by, d: actions.refuse_acceptance(c, by=by, on=d["on"], reason=d["reason"]),
    "not_accept_again": lambda c, by, d: actions.refuse_acceptance(
        c, by=by, on=d["on"], reason=d["reason"], again=True
    ),
    "extend": lambda c, by, d: actions.extend_case(
        c,
        by=by,
        approved_on=d["on"],
        days=d["days"],
        approver=d["approver"],
        reason=d["reason"],
        told_on=d["told_on"],
    ),
    "conclude": lambda c, by, d: actions.conclude_case(
        c, by=by, concluded_on=d["on"], opinion=d["opinion"], reply=d["document"]
    ),
    "deliver": lambda c, by, d: actions.deliver_reply(c, by=by, delivered_on=d["on"]),
    "request_review": lambda c, by, d: actions.request_review(
        c, by=by, requested_on=d["on"], reviewing_body=d["reviewing_body"]
    ),
    "review": lambda c, by, d: actions.review_case(
        c, by=by, reviewed_on=d["on"], outcome=d["outcome"], **_optional_document(d)
    ),
    "request_re_review": lambda c, by, d: actions.request_re_review(
        c, by=by, requested_on=d["on"], reviewing_body=d["reviewing_body"]
    ),
    "re_review": lambda c, by, d: actions.re_review_case(
        c, by=by, reviewed_on=d["on"], outcome=d["outcome"], **_optional_document(d)
    ),
    "withdraw": lambda c, by, d: actions.withdraw_case(
        c, by=by, withdrawn_on=d["on"], reason=d["reason"], **_optional_document(d)
    ),
}


@role_required(*WRITERS)
def step(request, pk, name):
    """Every dated handling step through one view: the form and the action come from the tables."""
    case = selectors.get_case_for(request, pk, write=True)
    if name not in STEP_ACTIONS:
        raise refuse(request, target_type="cases.step", target_id=name[:40])
    form_class = STEP_FORMS[name]
    form = form_class(request.POST or None, request.FILES or None, case=case)
    allowed = workflow.allows(case.status, name)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            STEP_ACTIONS[name](case, request.user, form.cleaned_data)
        except workflow.TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已{workflow.STEPS[name].label}。")
            return redirect("cases:detail", pk=case.pk)
    multipart = any(isinstance(f, django_forms.FileField) for f in form.fields.values())
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": workflow.STEPS[name].label,
            "multipart": multipart,
            "intro": form.intro,
            "allowed": allowed,
            "refusal": _refusal(case, name),
        },
    )


@role_required(*WRITERS)
def follow_up(request, pk):
    case = selectors.get_case_for(request, pk, write=True)
    form = FollowUpForm(request.POST or None)
    allowed = workflow.allows(case.status, "follow_up")
    if request.method == "POST" and allowed and form.is_valid():
        try:
            actions.record_follow_up(case, by=request.user, **form.cleaned_data)
        except workflow.TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已记录跟踪督办。")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": "记录跟踪督办",
            "multipart": False,
            "intro": "及时进入网上信访信息系统跟踪办理进展，提醒、督促有权处理机关及时受理、规范办理和送达告知。",
            "allowed": allowed,
            "refusal": _refusal(case, "follow_up"),
        },
    )


@role_required(*READERS)
def work(request):
    """The agent's worklist; for bureau staff, the same across every unit (the board)."""
    work = selectors.worklist(request.user)
    board = selectors.board_by_unit(work) if request.user.role == Role.BUREAU else None
    return render(
        request,
        "cases/worklist.html",
        {"work": work, "board": board, "nav": "work", "show_unit": request.user.role == Role.BUREAU},
    )
