"""Logging in, with lockout after repeated failures (等保: 登录失败处理)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db.models import F
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction

BAD_CREDENTIALS = "用户名或密码不正确。连续{n}次输入错误，账户将锁定{m}分钟。"
LOCKED = "该账户因连续{n}次登录失败已被锁定，请于 {until} 后再试，或请县信访局工作人员解锁。"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str = ""


def _locked_message(user: User) -> str:
    until = timezone.localtime(user.locked_until)
    return LOCKED.format(n=settings.LOGIN_MAX_FAILURES, until=f"{until:%H:%M}")


def log_in(request, *, username: str, password: str) -> LoginResult:
    """1. A locked account is refused without looking at the password.
    2. A good password logs in and clears the failure count.
    3. A bad one counts; the fifth in a row locks the account for LOGIN_LOCK_MINUTES.
    """
    username = username.strip()
    account = User.objects.filter(username=username).first()
    now = timezone.now()
    if account is not None and account.is_locked(now):
        record(AuditAction.LOGIN_LOCKED, request=request, by=account, target=account, attempt=True)
        return LoginResult(None, _locked_message(account))
    user = authenticate(request, username=username, password=password)
    if user is not None:
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        login(request, user)
        record(AuditAction.LOGIN, request=request, by=user)
        return LoginResult(user)
    generic = BAD_CREDENTIALS.format(n=settings.LOGIN_MAX_FAILURES, m=settings.LOGIN_LOCK_MINUTES)
    if account is None:
        record(AuditAction.LOGIN_FAILED, request=request, actor_name=username[:150], unknown_user=True)
        return LoginResult(None, generic)
    User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
    account.refresh_from_db(fields=["failed_logins"])
    if account.failed_logins >= settings.LOGIN_MAX_FAILURES:
        account.locked_until = now + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        account.failed_logins = 0
        account.save(update_fields=["locked_until", "failed_logins"])
        record(AuditAction.LOGIN_LOCKED, request=request, by=account, target=account)
        return LoginResult(None, _locked_message(account))
    record(AuditAction.LOGIN_FAILED, request=request, by=account, target=account, failures=account.failed_logins)
    return LoginResult(None, generic)


def unlock(user: User, *, by, request=None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    record(AuditAction.ACCOUNT, request=request, by=by, target=user, change="unlock")
