"""Logging in, with lockout after repeated failures (等保: 登录失败处理); managing units and accounts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xinfang.accounts.models import UNIT_ROLES, AgentProfile, Role, Unit, UnitKind, User
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.core import files

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
    with transaction.atomic():
        return _log_in(request, username=username.strip(), password=password)


def _log_in(request, *, username: str, password: str) -> LoginResult:
    # The account row stays locked until the attempt is counted: parallel guesses queue up
    # behind each other instead of all passing the lock check at once.
    account = User.objects.select_for_update(of=("self",)).filter(username=username).order_by("pk").first()
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
        return _unknown_user_failed(request, username[:150], now, generic)
    User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
    account.refresh_from_db(fields=["failed_logins"])
    if account.failed_logins >= settings.LOGIN_MAX_FAILURES:
        account.locked_until = now + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        account.failed_logins = 0
        account.save(update_fields=["locked_until", "failed_logins"])
        record(AuditAction.LOGIN_LOCKED, request=request, by=account, target=account)
        return LoginResult(None, _locked_message(account))
    record(
        AuditAction.LOGIN_FAILED, request=request, by=account, target=account, failures=account.failed_logins
    )
    return LoginResult(None, generic)


def _unknown_user_failed(request, username: str, now, generic: str) -> LoginResult:
    """An unknown name answers exactly as an account would, lock message included, so that
    repeated tries do not tell which user names exist. Its failures are counted in the
    audit log, the only place they are kept."""
    window = now - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    recent = list(
        AuditEntry.objects.filter(
            action__in=(AuditAction.LOGIN_FAILED, AuditAction.LOGIN_LOCKED),
            actor__isnull=True,
            actor_name=username,
            at__gte=window,
        )
        .order_by("at")
        .values_list("action", "at")
    )
    locks = [at for action, at in recent if action == AuditAction.LOGIN_LOCKED]
    if locks:
        record(
            AuditAction.LOGIN_LOCKED, request=request, actor_name=username, unknown_user=True, attempt=True
        )
        until = locks[-1] + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        return LoginResult(
            None, LOCKED.format(n=settings.LOGIN_MAX_FAILURES, until=f"{timezone.localtime(until):%H:%M}")
        )
    if len(recent) + 1 >= settings.LOGIN_MAX_FAILURES:
        record(AuditAction.LOGIN_LOCKED, request=request, actor_name=username, unknown_user=True)
        until = now + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        return LoginResult(
            None, LOCKED.format(n=settings.LOGIN_MAX_FAILURES, until=f"{timezone.localtime(until):%H:%M}")
        )
    record(AuditAction.LOGIN_FAILED, request=request, actor_name=username, unknown_user=True)
    return LoginResult(None, generic)


def unlock(user: User, *, by, request=None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    record(AuditAction.ACCOUNT, request=request, by=by, target=user, change="unlock")


# --- Units, accounts and agents' profiles, managed by bureau staff ----------------------------
#
# Each create_/update_/set_ function below runs in one transaction and writes one audit row
# (action ``account``) naming what changed by field name only: never a password, a phone
# number or a photo. A rule they refuse raises AccountError, which the view shows on the form.

UNIT_FIELDS = ("name", "kind", "code", "office_address", "office_phone", "sort_order", "active")


class AccountError(Exception):
    """A change the rules refuse. The message is shown to bureau staff as it is; ``field`` names
    the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def unit_for_role(role: str, unit: Unit | None) -> Unit | None:
    """The unit an account of this role belongs to, or AccountError.

    1. Agents and unit heads belong to one unit, which must be given.
    2. Bureau staff belong to the bureau: a unit of kind 县信访局. When none is chosen,
       the only active bureau unit is taken.
    3. Leaders, system administrators and auditors work county-wide or on the system
       itself: they belong to no unit, and a unit given is dropped.
    """
    if role in UNIT_ROLES:
        if unit is None:
            raise AccountError("代理员和单位负责人必须选择所在单位。", field="unit")
        return unit
    if role == Role.BUREAU:
        if unit is None:
            bureaus = list(Unit.objects.filter(kind=UnitKind.BUREAU, active=True)[:2])
            if len(bureaus) == 1:
                return bureaus[0]
            if not bureaus:
                raise AccountError(
                    "还没有类别为“县信访局”的单位，请先在“单位”中添加，再建立县信访局工作人员的账户。",
                    field="unit",
                )
            raise AccountError("请选择县信访局工作人员的所在单位。", field="unit")
        if unit.kind != UnitKind.BUREAU:
            raise AccountError(
                f"县信访局工作人员应属于县信访局，“{unit.name}”不是县信访局。"
                "如果是在本单位做代理工作，角色请选“代理员”。",
                field="unit",
            )
        return unit
    return None


def create_unit(
    *,
    by,
    request=None,
    name: str,
    kind: str,
    code: str = "",
    office_address: str = "",
    office_phone: str = "",
    sort_order: int = 100,
    active: bool = True,
) -> Unit:
    with transaction.atomic():
        if Unit.objects.filter(name=name).exists():
            raise AccountError(f"已有名为“{name}”的单位，单位名称不能重复。", field="name")
        unit = Unit.objects.create(
            name=name,
            kind=kind,
            code=code,
            office_address=office_address,
            office_phone=office_phone,
            sort_order=sort_order,
            active=active,
        )
        record(AuditAction.ACCOUNT, request=request, by=by, target=unit, change="unit_create", kind=kind)
    return unit


def update_unit(
    unit: Unit,
    *,
    by,
    request=None,
    name: str,
    kind: str,
    code: str,
    office_address: str,
    office_phone: str,
    sort_order: int,
    active: bool,
) -> Unit:
    """Units are deactivated, never deleted: cases and accounts keep pointing at them."""
    values = {
        "name": name,
        "kind": kind,
        "code": code,
        "office_address": office_address,
        "office_phone": office_phone,
        "sort_order": sort_order,
        "active": active,
    }
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        changed = [field for field in UNIT_FIELDS if getattr(unit, field) != values[field]]
        if "name" in changed and Unit.objects.filter(name=name).exclude(pk=unit.pk).exists():
            raise AccountError(f"已有名为“{name}”的单位，单位名称不能重复。", field="name")
        if "kind" in changed and unit.users.filter(role=Role.BUREAU).exists():
            raise AccountError(
                "该单位下有县信访局工作人员的账户，不能改为其他类别。请先调整这些账户。", field="kind"
            )
        if not changed:
            return unit
        for field in changed:
            setattr(unit, field, values[field])
        unit.save(update_fields=changed)
        change = "unit_update"
        if "active" in changed:
            change = "unit_activate" if active else "unit_deactivate"
        record(AuditAction.ACCOUNT, request=request, by=by, target=unit, change=change, fields=changed)
    return unit


def save_agent_profile(
    user: User,
    *,
    by,
    title: str = "",
    mobile: str = "",
    office_phone: str = "",
    published: bool = False,
    photo: files.Checked | None = None,
    remove_photo: bool = False,
) -> list[str]:
    """Write the agent's public profile (seed 二 2: 姓名、职务、照片、联系方式).

    Runs inside the caller's transaction, which writes the audit row; returns the names
    of the fields that changed. A replaced photo's stored file is kept, as every stored
    file is.
    """
    profile = AgentProfile.objects.select_for_update().filter(user=user).first() or AgentProfile(user=user)
    changed = []
    for field, value in (
        ("title", title),
        ("mobile", mobile),
        ("office_phone", office_phone),
        ("published", published),
    ):
        if getattr(profile, field) != value:
            setattr(profile, field, value)
            changed.append(field)
    if photo is not None:
        profile.photo_file = files.store(photo, by=by)
        changed.append("photo")
    elif remove_photo and profile.photo_file_id is not None:
        profile.photo_file = None
        changed.append("photo")
    if profile.pk is None or changed:
        profile.save()
    return changed


def _check_username(username: str, *, exclude_pk=None) -> None:
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise AccountError(f"用户名“{username}”已被使用，请换一个。", field="username")


def create_user(
    *,
    by,
    request=None,
    username: str,
    full_name: str,
    role: str,
    unit: Unit | None = None,
    is_active: bool = True,
    password: str,
    profile: dict[str, Any] | None = None,
) -> User:
    """Open an account. An agent gets a profile at once (unpublished unless asked)."""
    unit = unit_for_role(role, unit)
    with transaction.atomic():
        _check_username(username)
        user = User(username=username, full_name=full_name, role=role, unit=unit, is_active=is_active)
        user.set_password(password)
        user.save()
        profile_fields: list[str] = []
        if role == Role.AGENT:
            profile_fields = save_agent_profile(user, by=by, **(profile or {}))
        record(
            AuditAction.ACCOUNT,
            request=request,
            by=by,
            target=user,
            change="create",
            role=role,
            unit=unit.pk if unit else None,
            active=is_active,
            profile=profile_fields,
        )
    return user


def update_user(
    user: User,
    *,
    by,
    request=None,
    username: str,
    full_name: str,
    role: str,
    unit: Unit | None,
    is_active: bool,
    profile: dict[str, Any] | None = None,
) -> User:
    """Change an account and, for an agent, the profile.

    1. The unit follows the role (``unit_for_role``).
    2. Nobody removes their own bureau role or deactivates themselves: another member
       of staff must do it, so the bureau cannot lock itself out by a slip.
    3. An account that stops being an agent has its profile withdrawn from publication.
    4. The audit row names the changed fields, and old and new role and unit.
    """
    unit = unit_for_role(role, unit)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if account.pk == by.pk and role != account.role:
            raise AccountError("不能更改自己的角色，请由其他县信访局工作人员操作。", field="role")
        if account.pk == by.pk and not is_active:
            raise AccountError("不能停用自己的账户，请由其他县信访局工作人员操作。", field="is_active")
        if username != account.username:
            _check_username(username, exclude_pk=account.pk)
        detail: dict[str, Any] = {}
        if role != account.role:
            detail["role"] = [account.role, role]
        new_unit_id = unit.pk if unit else None
        if new_unit_id != account.unit_id:
            detail["unit"] = [account.unit_id, new_unit_id]
        if is_active != account.is_active:
            detail["active"] = is_active
        values = {"username": username, "full_name": full_name, "role": role, "is_active": is_active}
        changed = [field for field, value in values.items() if getattr(account, field) != value]
        for field in changed:
            setattr(account, field, values[field])
        if "unit" in detail:
            account.unit = unit
            changed.append("unit")
        if changed:
            account.save(update_fields=changed)
        profile_fields: list[str] = []
        if role == Role.AGENT:
            if profile is not None or not AgentProfile.objects.filter(user=account).exists():
                profile_fields = save_agent_profile(account, by=by, **(profile or {}))
        elif AgentProfile.objects.filter(user=account, published=True).update(published=False):
            profile_fields = ["published"]
        if changed or profile_fields:
            record(
                AuditAction.ACCOUNT,
                request=request,
                by=by,
                target=account,
                change="update",
                fields=changed,
                profile=profile_fields,
                **detail,
            )
    return account


def set_password(user: User, *, by, request=None, password: str) -> None:
    """Reset a password (with the configured hasher). The account's other sessions end."""
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        account.set_password(password)
        account.save(update_fields=["password"])
        record(AuditAction.ACCOUNT, request=request, by=by, target=account, change="password_reset")
    if request is not None and request.user.pk == account.pk:
        update_session_auth_hash(request, account)
