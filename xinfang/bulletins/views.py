"""The bulletins list, the draft download and publication. Who reads (``view_bulletins``:
bureau staff and leaders) and who drafts, publishes, corrects and withdraws
(``publish_bulletins``: bureau staff) is the capability table's; everyone else gets the same
404 as for a missing page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from xinfang.access import rules
from xinfang.access.views import requires
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.bulletins import actions, selectors
from xinfang.bulletins.documents import DOCX
from xinfang.bulletins.forms import CorrectForm, MonthForm, PublishForm, WithdrawForm
from xinfang.bulletins.models import Bulletin
from xinfang.cases.exports import attachment_header
from xinfang.core import downloads
from xinfang.core.errors import add_to_form
from xinfang.figures.periods import add_months, first_of_month


def _docx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = attachment_header(name)
    return response


def _last_month():
    return add_months(first_of_month(timezone.localdate()), -1)


@requires("view_bulletins")
def bulletin_list(request):
    return render(
        request,
        "bulletins/list.html",
        {
            "bulletins": selectors.bulletin_list(),
            "nav": "bulletins",
        },
    )


@requires(actions.PUBLISH)
def draft(request):
    form = MonthForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A month typed into the address (1999-12, 2101-01, 2026-13): said, not silently replaced.
        messages.error(request, f"无法生成草稿：{form.errors['month'][0]}")
        return redirect("bulletins:list")
    month = form.cleaned_data["month"] if form.is_bound else _last_month()
    result = actions.draft_bulletin(month, by=request.user)
    record(
        AuditAction.PRINT,
        request=request,
        target_type="bulletins.draft",
        target_id=f"{month:%Y-%m}",
        kind="bulletin_draft",
        month=month.isoformat(),
    )
    return downloads.mark(request, _docx(result.content, result.filename))


@requires(actions.PUBLISH)
def publish(request):
    initial_month = _last_month()
    choice = MonthForm(request.GET or None)
    if choice.is_valid():
        initial_month = choice.cleaned_data["month"]
    form = PublishForm(request.POST or None, initial={"month": initial_month})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = actions.publish_bulletin(
                month=data["month"],
                by=request.user,
                issue_number=data["issue_number"],
                summary=data["summary"],
                request=request,
            )
        except actions.BulletinError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, f"已发布{bulletin.month_label}通报（{bulletin.issue_number}），该月数字已固定。"
            )
            return redirect("bulletins:list")
    month = (form.cleaned_data.get("month") if form.is_bound else None) or initial_month
    return render(
        request,
        "bulletins/publish.html",
        {
            "form": form,
            "month": month,
            "published": selectors.published(month),
            "next_number": actions.next_issue_number()[1],
            "nav": "figures",
        },
        status=400 if form.is_bound else 200,
    )


@requires("view_bulletins")
def download(request, pk: int):
    bulletin = _bulletin_or_404(request, pk)
    record(AuditAction.DOWNLOAD, request=request, target=bulletin, kind="bulletin")
    return _docx(actions.read_document(bulletin), f"{bulletin.issue_number}-{bulletin.title}.docx")


def _bulletin_or_404(request, pk: int) -> Bulletin:
    bulletins = Bulletin.objects.select_related("published_by", "document")
    return rules.get_or_refuse(
        bulletins, request.user, "view_bulletins", pk, unit_field=None, request=request
    )


@requires(actions.PUBLISH)
def withdraw(request, pk: int):
    bulletin = _bulletin_or_404(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and bulletin.in_force and form.is_valid():
        try:
            actions.withdraw_bulletin(
                bulletin, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except actions.BulletinError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, f"已撤回{bulletin.issue_number}，{bulletin.month_label}的统计数字不再固定。"
            )
            return redirect("bulletins:list")
    return render(
        request,
        "bulletins/withdraw.html",
        {
            "form": form,
            "bulletin": bulletin,
            "nav": "figures",
        },
        status=400 if form.is_bound else 200,
    )


@requires(actions.PUBLISH)
def correct(request, pk: int):
    bulletin = _bulletin_or_404(request, pk)
    form = CorrectForm(request.POST or None, initial={"summary": bulletin.summary})
    if request.method == "POST" and bulletin.in_force and form.is_valid():
        data = form.cleaned_data
        try:
            corrected = actions.publish_bulletin(
                month=bulletin.month,
                by=request.user,
                replaces=bulletin,
                reason=data["reason"],
                issue_number=data["issue_number"],
                summary=data["summary"],
                request=request,
            )
        except actions.BulletinError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, f"已发布更正通报（{corrected.issue_number}），{bulletin.issue_number}同时撤回。"
            )
            return redirect("bulletins:list")
    return render(
        request,
        "bulletins/correct.html",
        {
            "form": form,
            "bulletin": bulletin,
            "next_number": actions.next_issue_number(prefix=bulletin.prefix)[1],
            "nav": "figures",
        },
        status=400 if form.is_bound else 200,
    )
