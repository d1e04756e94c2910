"""Logging in: the password, the limits on failures (``throttle``), the second factor, the session.

Each function here is an action: it writes the audit rows the login always wrote (login,
failure, lock-out, and each refused attempt), and its state changes run in transactions of
their own: the failure counters in a short one before the password is checked, the rest in
one after.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts import alerts, second_factor, sessions, throttle
from xinfang.accounts.actions import AccountError
from xinfang.accounts.models import User
from xinfang.accounts.throttle import ADDRESS, PAIR, PLATFORM
from xinfang.audit.actions import client_ip, record
from xinfang.audit.models import AuditAction

# None of these tells whether an account of that name exists.
BAD_CREDENTIALS = "用户名或密码不正确。连续{n}次输入错误，账户将锁定{m}分钟。"
# {until} reads 「14:35（还有12分钟）」: the clock time, and the minutes left.
LOCKED = "该账户因连续{n}次登录失败已被锁定（仅限本网络地址），请于 {until}后再试，或请县信访局工作人员解锁。"
ADDRESS_LOCKED = "本网络地址登录失败次数过多，已暂停登录，请于 {until}后再试。"
PLATFORM_BUSY = (
    "近期全系统登录失败次数异常，暂时只允许在以前登录成功过的网络地址登录。"
    "请于 {until}后再试，或联系系统管理员。"
)
PENDING_EXPIRED = "登录已超时，请重新输入用户名和密码。"
ALERT_LEVEL = "danger"


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    error: str = ""
    step: str = ""  # sessions.VERIFY or sessions.ENROL: the password was right, the second factor is next
    method: str = ""  # how the login was completed: "password", "totp", "recovery", "enrolled"


def _at(moment: datetime.datetime | None) -> str:
    """「14:35（还有12分钟）」: when the lock ends, and how long that is from now (whole minutes,
    rounded up, at least one), so that nobody has to look at the clock and count."""
    if not moment:
        return ""
    left = max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))
    return f"{timezone.localtime(moment):%H:%M}（还有{left}分钟）"


def refusal_message(admission: throttle.Admission) -> str:
    until = _at(admission.until)
    if admission.refused_by == ADDRESS:
        return ADDRESS_LOCKED.format(until=until)
    if admission.refused_by == PLATFORM:
        return PLATFORM_BUSY.format(until=until)
    return LOCKED.format(n=settings.LOGIN_MAX_FAILURES, until=until)


def _who(username: str, account: User | None) -> dict:
    if account is not None:
        return {"by": account, "target": account}
    return {"actor_name": username[:150], "unknown_user": True}


def _record_refusal(request, username: str, admission: throttle.Admission, **detail) -> None:
    account = User.objects.filter(username=username).first()
    if admission.refused_by != PAIR:
        detail["scope"] = admission.refused_by
    record(AuditAction.LOGIN_LOCKED, request=request, attempt=True, **_who(username, account), **detail)


def _record_failure(request, username: str, account: User | None, admission, found, **detail) -> str:
    """The audit row of a failure, and the message to show."""
    if found.addresses:
        detail["alert"] = "many_addresses"
    if PAIR in admission.locked:
        record(AuditAction.LOGIN_LOCKED, request=request, **_who(username, account), **detail)
        return LOCKED.format(n=settings.LOGIN_MAX_FAILURES, until=_at(admission.until))
    if ADDRESS in admission.locked:
        record(AuditAction.LOGIN_LOCKED, request=request, scope=ADDRESS, **_who(username, account), **detail)
        return ADDRESS_LOCKED.format(until=_at(admission.until))
    if account is not None:
        detail["failures"] = admission.failures
    record(AuditAction.LOGIN_FAILED, request=request, **_who(username, account), **detail)
    return BAD_CREDENTIALS.format(n=settings.LOGIN_MAX_FAILURES, m=settings.LOGIN_LOCK_MINUTES)


def system_administrators() -> list[User]:
    """Who is told of logins that look like an attack: the keepers of the system, those the table
    lets reset a second factor (等保: the system administrator)."""
    return list(rules.users_who_may("reset_second_factor"))


def _send_alerts(found: throttle.Alerts, account: User | None) -> None:
    minutes = settings.LOGIN_PLATFORM_WINDOW_MINUTES
    if found.platform_failures:
        alerts.tell(
            system_administrators(),
            level=ALERT_LEVEL,
            text=f"全系统{minutes}分钟内登录失败已达{found.platform_failures}次，可能正遭受密码猜测。"
            "在此期间只有以前登录成功过的网络地址可以登录。请查看审计日志。",
        )
    if found.addresses and account is not None:
        alerts.tell(
            system_administrators(),
            level=ALERT_LEVEL,
            text=f"账户 {account.username} 在{minutes}分钟内从{found.addresses}个不同网络地址登录失败，"
            "可能有人在猜测其密码。各地址已分别限制登录；请查看审计日志，必要时为其重置密码。",
        )
        alerts.tell(
            [account],
            level=ALERT_LEVEL,
            text=f"您的账户在{minutes}分钟内从{found.addresses}个不同网络地址登录失败。"
            "如果不是您本人，说明有人在猜测您的密码：请尽快请县信访局工作人员重置密码，并告知系统管理员。",
        )


def _failed(request, username: str, account: User | None, admission, now, **detail) -> str:
    found = throttle.failed(admission, now=now, account_exists=account is not None)
    message = _record_failure(request, username, account, admission, found, **detail)
    _send_alerts(found, account)
    return message


def _complete(request, user: User, *, method: str, now) -> LoginResult:
    throttle.logged_in(username=user.username, address=client_ip(request) or "", now=now)
    sessions.complete_login(request, user, method=method, now=now)
    detail = {} if method == "password" else {"second_factor": method}
    record(AuditAction.LOGIN, request=request, by=user, **detail)
    return LoginResult(user=user, method=method)


def log_in(request, *, username: str, password: str, next_url: str = "") -> LoginResult:
    """1. The counters admit the attempt or refuse it (``throttle.admit``): a locked pair, a
       locked address, or the platform limit for an address the account never logged in from.
    2. Whichever way it goes, exactly one password hash is computed, so that the time of the
       answer tells neither a locked account nor a wrong password from an unknown name.
    3. A good password logs in an account without a second factor. With one, or where one is
       required (``User.must_use_second_factor``), the session waits for the code, or for the
       enrolment, and the login completes there.
    4. A bad one stays counted: ``LOGIN_MAX_FAILURES`` in a row lock the pair, and so on
       (``throttle``); alerts go to the system administrators and the owner.
    """
    username = username.strip()
    now = timezone.now()
    admission = throttle.admit(username=username, address=client_ip(request) or "", now=now)
    if not admission.counted:
        make_password(password)  # the work a real check would do: see step 2
        with transaction.atomic():
            _record_refusal(request, username, admission)
        return LoginResult(error=refusal_message(admission))
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        if user is None:
            account = User.objects.filter(username=username).first()
            return LoginResult(error=_failed(request, username, account, admission, now))
        if second_factor.confirmed(user) is not None:
            step = sessions.VERIFY
        elif user.must_use_second_factor():
            step = sessions.ENROL
        else:
            throttle.give_back(admission, now=now)
            return _complete(request, user, method="password", now=now)
        # The password's count is given back, but the run of failures goes on until the
        # second factor is passed too: a known password does not buy more code guesses.
        throttle.give_back(admission, now=now)
        sessions.start_pending(request, user, step=step, next_url=next_url, now=now)
    return LoginResult(step=step)


def pending_user(request, step: str) -> tuple[User | None, sessions.Pending | None]:
    """The account half-way through logging in at this step, if any."""
    pending = sessions.pending(request.session, timezone.now())
    if pending is None or pending.step != step:
        return None, pending
    return User.objects.filter(pk=pending.user_id, is_active=True).first(), pending


def verify_second_factor(request, *, code: str) -> LoginResult:
    """The second step: a dynamic code or a recovery code (``second_factor.check_code``).
    A wrong code counts like a wrong password, against the same pair, address and platform."""
    user, _ = pending_user(request, sessions.VERIFY)
    if user is None:
        sessions.clear_pending(request.session)
        return LoginResult(error=PENDING_EXPIRED)
    now = timezone.now()
    admission = throttle.admit(username=user.username, address=client_ip(request) or "", now=now)
    if not admission.counted:
        sessions.clear_pending(request.session)
        with transaction.atomic():
            _record_refusal(request, user.username, admission, second_factor=True)
        return LoginResult(error=refusal_message(admission))
    with transaction.atomic():
        try:
            method = second_factor.check_code(user, code, now=now)
        except AccountError as exc:
            message = _failed(request, user.username, user, admission, now, second_factor=True)
            if admission.locked:
                sessions.clear_pending(request.session)
                return LoginResult(error=message)
            return LoginResult(error=exc.message, step=sessions.VERIFY)
        throttle.give_back(admission, now=now)
        return _complete(request, user, method=method, now=now)


def enrol_and_log_in(request, *, user: User, code: str) -> list[str]:
    """The enrolment that completes a login (an account that must have a second factor and
    had none). Returns the recovery codes, or raises AccountError for a wrong code."""
    with transaction.atomic():
        codes = second_factor.confirm_enrolment(user, by=user, code=code, request=request)
        _complete(request, user, method="enrolled", now=timezone.now())
    return codes
