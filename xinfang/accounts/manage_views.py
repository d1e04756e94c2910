"""Bureau staff keep units and accounts, and each agent's public profile (seed 二 2).

Thin views: parse the form, call one action in ``accounts.actions``, redirect with a message.
Only those the table lets keep units (``manage_units``) and accounts (``manage_accounts``)
reach them; anyone else gets the page for a missing page. An agent's photo is
``views.agent_photo``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xinfang.access.policy import BUREAU_MANAGED_ROLES
from xinfang.access.views import requires
from xinfang.accounts import actions, selectors
from xinfang.accounts.manage_forms import (
    FILE_NOT_KEPT,
    AgentProfileForm,
    PasswordForm,
    UnitForm,
    UserCreateForm,
    UserFilterForm,
    UserForm,
)
from xinfang.accounts.models import AgentProfile, AgentReport, Role, Unit, User
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.core.errors import add_to_form

USER_PAGE_SIZE = 100


# --- Units -------------------------------------------------------------------------------------


@requires("manage_units")
def unit_list(request):
    units = Unit.objects.annotate(
        active_user_count=Count("users", filter=Q(users__is_active=True)),
        inactive_user_count=Count("users", filter=Q(users__is_active=False)),
    ).order_by("sort_order", "id")
    return render(request, "accounts/manage/unit_list.html", {"units": units, "nav": "units"})


@requires("manage_units")
def unit_new(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.create_unit(by=request.user, request=request, **form.cleaned_data)
        except actions.AccountError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, f"已添加单位“{unit.name}”。")
            return redirect("manage:units")
    return render(request, "accounts/manage/unit_form.html", {"form": form, "nav": "units"})


@requires("manage_units")
def unit_edit(request, pk):
    unit = get_object_or_404(Unit, pk=pk)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.update_unit(unit, by=request.user, request=request, **form.cleaned_data)
        except actions.AccountError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, f"已保存单位“{unit.name}”。")
            active_users = unit.users.filter(is_active=True).count()
            if not unit.active and active_users:
                messages.warning(
                    request,
                    f"该单位已停用，但仍有 {active_users} 个启用的账户；如需停用，请在“账户与代理员”中逐个处理。",
                )
            return redirect("manage:units")
    return render(request, "accounts/manage/unit_form.html", {"form": form, "unit": unit, "nav": "units"})


# --- Accounts ----------------------------------------------------------------------------------


def managed_users():
    return User.objects.filter(role__in=BUREAU_MANAGED_ROLES)


@requires("manage_accounts")
def user_list(request):
    form = UserFilterForm(request.GET or None)
    accounts = selectors.with_lock(
        managed_users()
        .select_related("unit", "profile")
        .order_by(F("unit__sort_order").asc(nulls_last=True), "unit_id", "username")
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            accounts = accounts.filter(unit=data["unit"])
        if data["role"]:
            accounts = accounts.filter(role=data["role"])
        if data["status"] == "active":
            accounts = accounts.filter(is_active=True)
        elif data["status"] == "inactive":
            accounts = accounts.filter(is_active=False)
        elif data["status"] == "locked":
            # The plugin checks __isnull on an annotation against the annotation's type.
            accounts = accounts.filter(locked_until__isnull=False)  # type: ignore[misc]
        if data["q"]:
            accounts = accounts.filter(Q(username__icontains=data["q"]) | Q(full_name__icontains=data["q"]))
    page = Paginator(accounts, USER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/manage/user_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "nav": "users",
            "back": request.get_full_path(),
        },
    )


def _account_initial(account: User) -> dict:
    return {
        "username": account.username,
        "full_name": account.full_name,
        "role": account.role,
        "unit": account.unit_id,
        "is_active": account.is_active,
    }


def _profile_of(account: User) -> AgentProfile | None:
    return AgentProfile.objects.select_related("photo_file").filter(user=account).first()


def _profile_form(request, profile: AgentProfile | None) -> AgentProfileForm:
    """Bound, and so checked, only when the account is to be an agent; otherwise what was typed
    is shown again but neither checked nor saved."""
    if request.method != "POST":
        return AgentProfileForm(initial=AgentProfileForm.initial_for(profile), profile=profile)
    if request.POST.get("role") == Role.AGENT:
        return AgentProfileForm(request.POST, request.FILES, profile=profile)
    typed = {
        name: request.POST.get(f"{AgentProfileForm.prefix}-{name}", "")
        for name in ("title", "mobile", "office_phone")
    }
    typed["published"] = bool(request.POST.get(f"{AgentProfileForm.prefix}-published"))
    return AgentProfileForm(initial=typed, profile=profile)


def _forms_valid(user_form: UserForm, profile_form: AgentProfileForm) -> bool:
    # Both are checked, so that every mistake is shown at once.
    user_ok = user_form.is_valid()
    profile_ok = profile_form.is_valid() if profile_form.is_bound else True
    return user_ok and profile_ok


def _user_page(
    request, *, user_form, profile_form, account=None, profile=None, password_form=None, stored_shown=False
):
    if stored_shown and profile is not None and profile.mobile:
        # The form shows the stored mobile whole: a reveal, logged like every other.
        record(AuditAction.REVEAL, request=request, target=account, field="agent_mobile")
    return render(
        request,
        "accounts/manage/user_form.html",
        {
            "form": user_form,
            "profile_form": profile_form,
            "password_form": password_form,
            "account": account,
            "profile": profile,
            "nav": "users",
            "is_agent": (user_form["role"].value() or "") == Role.AGENT,
            "file_lost": request.method == "POST" and bool(request.FILES) and profile_form.is_bound,
            "file_not_kept": FILE_NOT_KEPT,
            "now": timezone.now(),
            "locked_until": selectors.locked_until(account) if account is not None else None,
            **_open_report(account),
        },
    )


def _open_report(account: User | None) -> dict:
    """The agent's report to the bureau still open, if any (``agent_reports``)."""
    report = None
    if account is not None:
        report = (
            AgentReport.objects.select_related("unit").filter(agent=account, stopped_on__isnull=True).first()
        )
    return {
        "agent_report": report,
        "agent_report_overdue": report is not None and report.due_on < timezone.localdate(),
    }


@requires("manage_accounts")
def user_new(request):
    user_form = UserCreateForm(request.POST or None, initial={"is_active": True})
    profile_form = _profile_form(request, None)
    if request.method == "POST" and _forms_valid(user_form, profile_form):
        data = user_form.cleaned_data
        try:
            account = actions.create_user(
                by=request.user,
                request=request,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                unit=data["unit"],
                is_active=data["is_active"],
                password=data["password1"],
                profile=profile_form.action_data() if profile_form.is_bound else None,
            )
        except actions.AccountError as exc:
            add_to_form(user_form, exc)
        else:
            messages.success(
                request,
                f"已建立“{account.full_name}”的账户（用户名 {account.username}）。请把初始密码当面或电话告知本人。",
            )
            return redirect("manage:users")
    return _user_page(request, user_form=user_form, profile_form=profile_form)


@requires("manage_accounts")
def user_edit(request, pk):
    account = get_object_or_404(managed_users().select_related("unit"), pk=pk)
    profile = _profile_of(account)
    if request.method == "POST":
        user_form = UserForm(request.POST, account=account)
    else:
        user_form = UserForm(account=account, initial=_account_initial(account))
    profile_form = _profile_form(request, profile)
    if request.method == "POST" and _forms_valid(user_form, profile_form):
        data = user_form.cleaned_data
        try:
            account = actions.update_user(
                account,
                by=request.user,
                request=request,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                unit=data["unit"],
                is_active=data["is_active"],
                profile=profile_form.action_data() if profile_form.is_bound else None,
                successor=data.get("successor"),
            )
        except actions.AccountError as exc:
            add_to_form(user_form, exc)
        else:
            messages.success(request, f"已保存“{account.full_name}”的账户。")
            return redirect("manage:users")
    return _user_page(
        request,
        user_form=user_form,
        profile_form=profile_form,
        account=account,
        profile=profile,
        password_form=PasswordForm(account=account),
        stored_shown=request.method == "GET",
    )


@requires("manage_accounts")
@require_POST
def user_password(request, pk):
    account = get_object_or_404(managed_users().select_related("unit"), pk=pk)
    form = PasswordForm(request.POST, account=account)
    if form.is_valid():
        actions.set_password(
            account, by=request.user, request=request, password=form.cleaned_data["password1"]
        )
        messages.success(request, f"已重置“{account.full_name}”的密码。请把新密码当面或电话告知本人。")
        return redirect("manage:user_edit", pk=account.pk)
    profile = _profile_of(account)
    user_form = UserForm(account=account, initial=_account_initial(account))
    profile_form = AgentProfileForm(initial=AgentProfileForm.initial_for(profile), profile=profile)
    return _user_page(
        request,
        user_form=user_form,
        profile_form=profile_form,
        account=account,
        profile=profile,
        password_form=form,
        stored_shown=True,
    )


@requires("manage_accounts")
@require_POST
def user_unlock(request, pk):
    account = get_object_or_404(managed_users(), pk=pk)
    if selectors.locked_until(account) is not None:
        actions.unlock(account, by=request.user, request=request)
        messages.success(request, f"已解锁“{account.full_name}”的账户，本人现在可以重新登录。")
    else:
        messages.info(request, f"“{account.full_name}”的账户没有被锁定，无需解锁。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "manage:users")
