from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xinfang.accounts import actions
from xinfang.accounts.forms import LoginForm
from xinfang.accounts.models import Role
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = actions.log_in(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if result.user is not None:
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = ""
            return redirect(target or "home")
        error = result.error
    return render(
        request, "accounts/login.html", {"form": form, "error": error, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record(AuditAction.LOGOUT, request=request)
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request):
    """Each role starts where its work is."""
    role = request.user.role
    if role in (Role.AGENT, Role.UNIT_HEAD, Role.BUREAU):
        return redirect("cases:work")
    if role == Role.AUDITOR:
        return redirect("audit:log")
    if role == Role.LEADER:
        return redirect("figures:dashboard")
    return render(request, "accounts/home.html")
