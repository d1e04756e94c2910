"""The pages 个人信息保存期限 (the rules, what is due, the run) and 信访人查阅、复制、删除申请.

Thin: the forms parse, ``actions`` check the actor and change things, ``selectors`` read. A
document number travels only in POST bodies, never in an address.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.cases.exports import attachment_header
from xinfang.core.downloads import mark
from xinfang.core.errors import DomainError, add_to_form
from xinfang.privacy import actions, selectors
from xinfang.privacy.forms import EraseForm, PersonForm, RuleForm, RunForm
from xinfang.privacy.models import DataKind

ZIP = "application/zip"


def _retention_page(request, *, rule_form=None, run_form=None, status=200):
    due = selectors.due()
    return render(
        request,
        "privacy/retention.html",
        {
            "rows": selectors.rule_rows(),
            "rule_form": rule_form or RuleForm(),
            "due": due,
            "shown": due.cases[: selectors.SHOWN],
            "counts": [(DataKind(k).label, due.count(k)) for k in DataKind.values],
            "run_form": run_form or RunForm(initial={"digest": due.digest}),
            "runs": selectors.recent_runs(),
            "nav": "privacy",
        },
        status=status,
    )


@requires(actions.MANAGE)
def retention(request):
    return _retention_page(request)


@require_POST
@requires(actions.MANAGE)
def retention_rule(request):
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            actions.set_retention(by=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            label = DataKind(form.cleaned_data["kind"]).label
            messages.success(request, f"已设定：{label}在事项终结后保存{form.cleaned_data['years']}年。")
            return redirect("privacy:retention")
    return _retention_page(request, rule_form=form, status=400)


@require_POST
@requires(actions.MANAGE)
def retention_run(request):
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            result = actions.run_retention(
                by=request.user, request=request, confirmed=form.cleaned_data["digest"]
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            t = result.tally
            messages.success(
                request,
                f"已删除（匿名化）：{t.cases}件事项（诉求内容{t.content}件、扫描件和附件{t.files_cases}件共{t.files}个文件、"
                f"信访人信息{t.petitioners}条），风险报告{t.reports}份。统计数字不变。"
                + (result.compaction.message if result.compaction else ""),
            )
            return redirect("privacy:retention")
    # The list may have changed: the page shows it again with its own confirmation.
    messages.error(request, _errors(form))
    return redirect("privacy:retention")


def _errors(form) -> str:
    return "".join(str(e) for errors in form.errors.values() for e in errors)


# --- A petitioner's request --------------------------------------------------------------------------


def _person_page(request, *, form=None, found=None, result=None, status=200):
    hidden = {}
    if found is not None and form is not None and form.is_valid():
        # The same request: its reason is offered again, to be changed where the copy or the
        # deletion has its own.
        data = {k: form.cleaned_data[k] for k in ("id_kind", "id_number", "received_on", "reason")}
        hidden = {
            "export_form": PersonForm(initial=data, hide_document=True, prefix="copy"),
            "erase_form": EraseForm(initial=data, hide_document=True, prefix="erase"),
        }
    return render(
        request,
        "privacy/person.html",
        {
            "form": form or PersonForm(),
            "found": found,
            "result": result,
            "requests": selectors.recent_requests(),
            "nav": "privacy",
            **hidden,
        },
        status=status,
    )


def _values(form) -> dict:
    data = form.cleaned_data
    return {"id_number": data["id_number"], "reason": data["reason"], "received_on": data["received_on"]}


@requires(actions.REQUESTS)
def person(request):
    """GET: the form. POST: the look-up (a 查阅, logged with its reason) and what was found."""
    if request.method != "POST":
        return _person_page(request)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            found = actions.look_up_person(by=request.user, request=request, **_values(form))
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            return _person_page(request, form=form, found=found)
    return _person_page(request, form=form, status=400)


@require_POST
@requires(actions.REQUESTS)
def person_export(request):
    form = PersonForm(request.POST, prefix="copy")
    if form.is_valid():
        try:
            content = actions.export_person(by=request.user, request=request, **_values(form))
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            response = HttpResponse(content, content_type=ZIP)
            name = f"个人信息-{timezone.localdate():%Y%m%d}.zip"
            response["Content-Disposition"] = attachment_header(name)
            return mark(request, response)
    return _person_page(request, form=_unprefixed(request, form), status=400)


@require_POST
@requires(actions.REQUESTS)
def person_erase(request):
    form = EraseForm(request.POST, prefix="erase")
    if form.is_valid():
        try:
            result = actions.erase_person(by=request.user, request=request, **_values(form))
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            # What is left (cases still being handled), under the deletion's own audit row.
            remaining = selectors.holdings(form.cleaned_data["id_number"])
            again = PersonForm(
                initial={k: form.cleaned_data[k] for k in ("id_kind", "id_number", "received_on")}
            )
            return _person_page(request, form=again, found=remaining, result=result)
    return _person_page(request, form=_unprefixed(request, form), status=400)


def _unprefixed(request, form) -> PersonForm:
    """The look-up form again, filled with what the hidden form carried, and the errors said
    above it: the holdings are shown only by a look-up, which is logged."""
    messages.error(request, _errors(form))
    data = {
        name: form.data.get(form.add_prefix(name), "")
        for name in ("id_kind", "id_number", "received_on", "reason")
    }
    return PersonForm(initial=data)
