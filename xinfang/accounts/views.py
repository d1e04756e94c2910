from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xinfang.access import rules
from xinfang.access.policy import START_PAGES
from xinfang.access.views import requires
from xinfang.accounts import actions, login, second_factor, selectors, sessions
from xinfang.accounts.forms import CodeForm, LoginForm, VerifyForm
from xinfang.accounts.middleware import STEP_VIEWS
from xinfang.accounts.models import AgentProfile
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.core import files
from xinfang.core.errors import add_to_form
from xinfang.core.middleware import mark_personal


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return ""
    return target


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        target = _safe_next(request)
        result = login.log_in(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            next_url=target,
        )
        if result.user is not None:
            return redirect(target or "home")
        if result.step:
            return redirect(STEP_VIEWS[result.step])
        error = result.error
    return render(
        request, "accounts/login.html", {"form": form, "error": error, "next": request.GET.get("next", "")}
    )


def verify_view(request):
    """The second step of logging in: the dynamic code, or a recovery code."""
    if request.user.is_authenticated:
        return redirect("home")
    user, pending = login.pending_user(request, sessions.VERIFY)
    if user is None:
        return _not_at_this_step(request, pending)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = login.verify_second_factor(request, code=form.cleaned_data["code"])
        if result.user is not None:
            if result.method == "recovery":
                left = second_factor.recovery_codes_left(result.user)
                messages.warning(
                    request,
                    f"您用恢复码登录了，还剩 {left} 个恢复码。手机找不回时，请联系系统管理员重置动态口令；"
                    "找回后可在“动态口令”页面重新生成恢复码。",
                )
            assert pending is not None  # pending_user found the user through it
            return redirect(pending.next_url or "home")
        if not result.step:
            messages.error(request, result.error)
            return redirect("accounts:login")
        form.add_error("code", result.error)
    return render(request, "accounts/second_factor_verify.html", {"form": form, "account": user})


def _enrolling_user(request):
    """Who is setting up an authenticator, and where they go afterwards."""
    if request.user.is_authenticated:
        return request.user, None, reverse("accounts:second_factor")
    user, pending = login.pending_user(request, sessions.ENROL)
    return user, pending, (pending.next_url if pending else "") or reverse("home")


def _not_at_this_step(request, pending):
    """A half-login at the other step goes there; none (or one expired) starts again."""
    if pending is not None:
        return redirect(STEP_VIEWS[pending.step])
    messages.info(request, login.PENDING_EXPIRED)
    return redirect("accounts:login")


def enrol_view(request):
    """Setting up the authenticator: at the login of an account that must have one, or from
    the ``second_factor`` page of one that chooses to."""
    user, pending, next_url = _enrolling_user(request)
    if user is None:
        return _not_at_this_step(request, pending)
    if second_factor.confirmed(user) is not None:
        return redirect("accounts:second_factor")
    device = second_factor.start_enrolment(user, by=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if request.user.is_authenticated:
                codes = second_factor.confirm_enrolment(user, by=user, code=code, request=request)
            else:
                codes = login.enrol_and_log_in(request, user=user, code=code)
        except actions.AccountError as exc:
            add_to_form(form, exc)
        else:
            return _recovery_codes_page(request, codes, first=True, next_url=next_url)
    uri = second_factor.provisioning_uri(user, device.secret)
    response = render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "account": user,
            "qr": second_factor.qr_svg(uri),
            "secret": second_factor.grouped(device.secret),
            "issuer": second_factor.issuer(),
            "required": user.must_use_second_factor(),
        },
    )
    # The secret is on the page, and a half-logged-in visitor is not "logged in": never cached.
    mark_personal(response)
    return response


def _recovery_codes_page(request, codes: list[str], *, first: bool, next_url: str):
    """Shown once, in the answer to the POST that made them: a reload does not show them again."""
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "first": first, "next_url": next_url}
    )
    mark_personal(response)  # never cached
    return response


@login_required
def second_factor_view(request):
    """The user's own page: whether a second factor is set up, and new recovery codes."""
    user = request.user
    device = second_factor.confirmed(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.regenerate_recovery_codes(
                user, by=user, code=form.cleaned_data["code"], request=request
            )
        except actions.AccountError as exc:
            add_to_form(form, exc)
        else:
            return _recovery_codes_page(
                request, codes, first=False, next_url=reverse("accounts:second_factor")
            )
    return render(
        request,
        "accounts/second_factor.html",
        {
            "device": device,
            "form": form,
            "required": user.must_use_second_factor(),
            "codes_left": second_factor.recovery_codes_left(user) if device else 0,
            "nav": "second_factor",
        },
    )


ACCOUNTS_PAGE_SIZE = 100


@requires("reset_second_factor")
def second_factor_accounts(request):
    """The system administrator's list: who has a second factor, and the reset button."""
    page = Paginator(selectors.accounts_with_second_factor(), ACCOUNTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/second_factor_accounts.html",
        {"page": page, "query": "", "nav": "second_factor_accounts"},
    )


@requires("reset_second_factor")
@require_POST
def second_factor_reset(request, pk):
    account = get_object_or_404(selectors.accounts_with_second_factor(), pk=pk)
    try:
        actions.reset_second_factor(account, by=request.user, request=request)
    except actions.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已重置“{account.full_name}”（{account.username}）的动态口令，已通知本人下次登录时重新绑定。",
        )
    return redirect("accounts:second_factor_accounts")


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record(AuditAction.LOGOUT, request=request)
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request):
    """Each role starts where its work is (``access.policy.START_PAGES``)."""
    start = START_PAGES.get(request.user.role, "accounts:home")
    if start != "accounts:home":
        return redirect(start)
    return render(request, "accounts/home.html")


def agent_photo(request, pk):
    """The photo of an agent (user ``pk``), behind both of its addresses (the public directory's
    and the account page's).

    1. A profile a citizen may see (``selectors.published_profiles``): anyone, without logging
       in; browsers and proxies may keep it five minutes, so a withdrawal soon takes effect.
    2. Otherwise only those who keep the accounts (``manage_accounts``), never cached; anyone
       else gets the page for a missing page, and the refusal is logged.
    """
    profile = AgentProfile.objects.select_related("photo_file").filter(user_id=pk).first()
    if profile is None or profile.photo_file is None:
        raise Http404("没有照片。")
    public = selectors.published_profiles().filter(pk=profile.pk).exists()
    if not public:
        rules.check(
            request.user,
            "manage_accounts",
            request=request,
            target_type="accounts.AgentProfile.photo",
            target_id=pk,
        )
    stored = profile.photo_file
    response = HttpResponse(files.read(stored), content_type=stored.content_type)
    response["Content-Disposition"] = "inline"
    if public:
        response["Cache-Control"] = "public, max-age=300"
    else:
        mark_personal(response)
    return response
