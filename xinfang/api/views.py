"""The token pages: 接口令牌 (a user's own tokens) and 接口账户 (bureau staff: machine accounts for
other systems, read-only, for one unit or the county). A new token is shown once, in the answer
to the post that made it, never again."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.api import actions, selectors
from xinfang.api.forms import MachineForm, TokenForm
from xinfang.api.problems import problem
from xinfang.core.errors import add_to_form
from xinfang.core.middleware import mark_personal


def nowhere(request, *args, **kwargs):
    """An address under ``/api/v1/`` that names no operation."""
    return problem(404, "not_found", "没有这个接口地址。接口说明见 /api/v1/docs。")


def _shown_once(request, *, token, secret: str, back: str, account=None):
    response = render(
        request,
        "api/token_created.html",
        {"token": token, "secret": secret, "back": back, "account": account},
    )
    mark_personal(response)  # never kept by a browser or a proxy
    return response


@requires("use_api")
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = actions.create_token(
                by=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
        except actions.TokenError as exc:
            add_to_form(form, exc)
        else:
            return _shown_once(request, token=token, secret=secret, back="api:tokens")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": selectors.own_tokens(request.user), "nav": "api_tokens"},
    )


@require_POST
@requires("use_api")
def revoke(request, pk):
    token = selectors.get_own_token(request, pk)
    actions.revoke_token(token, by=request.user, request=request)
    messages.success(request, f"已撤销令牌“{token.name}”，使用它的请求立即失效。")
    return redirect("api:tokens")


@requires("manage_api_accounts")
def machines(request):
    return render(
        request,
        "api/machines.html",
        {
            "accounts": selectors.machine_accounts(request.user),
            "form": MachineForm(units=selectors.machine_units()),
            "token_form": TokenForm(),
            "nav": "api_machines",
        },
    )


@require_POST
@requires("manage_api_accounts")
def machine_new(request):
    form = MachineForm(request.POST, units=selectors.machine_units())
    if form.is_valid():
        data = form.cleaned_data
        try:
            account, token, secret = actions.create_machine_account(
                by=request.user,
                name=data["name"],
                unit=data["unit"],
                expires_on=data["expires_on"],
                request=request,
            )
        except actions.TokenError as exc:
            add_to_form(form, exc)
        else:
            return _shown_once(request, token=token, secret=secret, back="api:machines", account=account)
    context = {"accounts": selectors.machine_accounts(request.user), "form": form, "nav": "api_machines"}
    return render(request, "api/machines.html", {**context, "token_form": TokenForm()}, status=400)


@require_POST
@requires("manage_api_accounts")
def machine_token(request, pk):
    account = selectors.get_machine_for(request, pk)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = actions.new_machine_token(
                account,
                by=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
        except actions.TokenError as exc:
            messages.error(request, exc.message)
        else:
            return _shown_once(request, token=token, secret=secret, back="api:machines", account=account)
    else:
        messages.error(request, "；".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("api:machines")


@require_POST
@requires("manage_api_accounts")
def machine_revoke(request, pk):
    token = selectors.get_machine_token_for(request, pk)
    actions.revoke_token(token, by=request.user, request=request)
    messages.success(request, f"已撤销令牌“{token.name}”。")
    return redirect("api:machines")


@require_POST
@requires("manage_api_accounts")
def machine_deactivate(request, pk):
    account = selectors.get_machine_for(request, pk)
    actions.deactivate_machine(account, by=request.user, request=request)
    messages.success(request, f"已停用接口账户“{account.full_name}”，其全部令牌立即失效。")
    return redirect("api:machines")
