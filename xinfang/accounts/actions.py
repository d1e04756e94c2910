"""Managing units and accounts; lifting lock-outs; resetting a second factor.

Each action asks the capability table (``access.rules.check``) whether ``by`` may do it before
it opens its transaction: a refusal changes nothing and its audit row stays. ``by=None`` is the
server's shell (``xinfang account``, ``xinfang reset_second_factor``), run by whoever runs the
server. Logging in itself is in ``login`` (with ``throttle`` and ``second_factor``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.db import transaction

from xinfang.access import rules
from xinfang.access.policy import BUREAU_MANAGED_ROLES, BUREAU_UNIT_ROLES, PROFILE_ROLES, UNIT_ROLES
from xinfang.accounts import agent_reports, alerts, successors, throttle
from xinfang.accounts.models import (
    AgentProfile,
    RecoveryCode,
    Role,
    SecondFactor,
    Unit,
    UnitKind,
    User,
)
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.core import files
from xinfang.core.errors import DomainError

# --- Units, accounts and agents' profiles, managed by bureau staff ----------------------------
#
# Each create_/update_/set_ function below runs in one transaction and writes one audit row
# (action ``account``) naming what changed by field name only: never a password, a phone
# number or a photo. A rule they refuse raises AccountError, which the view shows on the form.

UNIT_FIELDS = (
    "name",
    "kind",
    "code",
    "office_address",
    "office_phone",
    "sort_order",
    "active",
    "second_factor_required",
)


COMMAND_LINE = "(command line)"  # the actor's name in the audit log when ``by`` is None


class AccountError(DomainError):
    """A change the rules refuse. The message is shown to bureau staff as it is; ``field`` names
    the form field it belongs to, if any."""


def _check(by, code: str, request=None) -> None:
    """The table decides; the server's shell (``by`` None) may do what its operator runs."""
    if by is not None:
        rules.check(by, code, request=request)


def _actor_name(by) -> str:
    return "" if by is not None else COMMAND_LINE


def _check_kept(by, role: str, *, target_id="", request=None) -> None:
    """Bureau staff keep the accounts of ``BUREAU_MANAGED_ROLES`` only: the system
    administrator's and the auditor's are kept apart (三权分立), from the server's shell."""
    if by is not None and role not in BUREAU_MANAGED_ROLES:
        raise rules.refuse(
            by, "manage_accounts", target_type="accounts.User", target_id=target_id, request=request
        )


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
    if role in BUREAU_UNIT_ROLES:
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
    second_factor_required: bool = False,
) -> Unit:
    _check(by, "manage_units", request)
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
            second_factor_required=second_factor_required,
        )
        record(
            AuditAction.ACCOUNT,
            request=request,
            by=by,
            actor_name=_actor_name(by),
            target=unit,
            change="unit_create",
            kind=kind,
        )
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
    second_factor_required: bool,
) -> Unit:
    """Units are deactivated, never deleted: cases and accounts keep pointing at them.
    ``second_factor_required``: the unit's agents and unit head log in with a dynamic code
    (from their next login on)."""
    values = {
        "name": name,
        "kind": kind,
        "code": code,
        "office_address": office_address,
        "office_phone": office_phone,
        "sort_order": sort_order,
        "active": active,
        "second_factor_required": second_factor_required,
    }
    _check(by, "manage_units", request)
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
    """Open an account. An agent gets a profile at once (unpublished unless asked), and the unit
    5 workdays to report it (``agent_reports``) unless the profile is published at once."""
    _check(by, "manage_accounts", request)
    _check_kept(by, role, request=request)
    unit = unit_for_role(role, unit)
    with transaction.atomic():
        _check_username(username)
        user = User(username=username, full_name=full_name, role=role, unit=unit, is_active=is_active)
        user.set_password(password)
        user.save()
        profile_fields: list[str] = []
        if role in PROFILE_ROLES:
            profile_fields = save_agent_profile(user, by=by, **(profile or {}))
        agent_reports.account_changed(user, before=None, by=by, request=request)
        record(
            AuditAction.ACCOUNT,
            request=request,
            by=by,
            actor_name=_actor_name(by),
            target=user,
            change="create",
            role=role,
            unit=unit.pk if unit else None,
            active=is_active,
            profile=profile_fields,
        )
    return user


def _leaves_cases(detail: dict[str, Any], is_active: bool) -> bool:
    return ("active" in detail and not is_active) or "role" in detail or "unit" in detail


def _hand_over_open_work(before: User, account: User, *, by, successor, leaving: bool) -> int:
    """Before an agent stops working cases: their open cases to the successor (rule 5)."""
    if not leaving:
        return 0
    open_cases = successors.open_work(before)
    if not open_cases:
        return 0
    if successor == successors.SPREAD:
        to = list(successors.colleagues(before))
    else:
        to = [successor] if isinstance(successor, User) else []
    if not to:
        raise AccountError(
            f"{before.full_name}还有{open_cases}件未办结的事项，请选择接手的代理员（本单位没有其他在岗代理员的，请先新增代理员）。",
            field="successor",
        )
    return successors.move_work(before, by=by, to=to, reason="原代理员账户停用或调整，事项移交")


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
    successor: str | User | None = None,
) -> User:
    """Change an account and, for an agent, the profile.

    1. The unit follows the role (``unit_for_role``).
    2. Nobody removes their own bureau role or deactivates themselves: another member
       of staff must do it, so the bureau cannot lock itself out by a slip.
    3. An account that stops being an agent has its profile withdrawn from publication.
    4. An account that becomes a unit's agent (activated, made an agent, moved) gives the unit
       5 workdays to report it; publishing the profile meets that (``agent_reports``).
    5. The audit row names the changed fields, and old and new role and unit.
    6. An agent who stops working their unit's cases (deactivated, another role or unit) hands
       the open ones to ``successor`` first: one agent of the unit, or ``successors.SPREAD`` to
       spread them over the unit's other agents. Nothing is left without an agent.
    """
    rules.check(by, "manage_accounts", request=request)
    _check_kept(by, user.role, target_id=user.pk, request=request)
    _check_kept(by, role, target_id=user.pk, request=request)
    unit = unit_for_role(role, unit)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        before = agent_reports.Standing.of(account)
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
            moved = _hand_over_open_work(
                user, account, by=by, successor=successor, leaving=_leaves_cases(detail, is_active)
            )
            if moved:
                detail["cases_handed_over"] = moved
            account.save(update_fields=changed)
        profile_fields: list[str] = []
        if role in PROFILE_ROLES:
            if profile is not None or not AgentProfile.objects.filter(user=account).exists():
                profile_fields = save_agent_profile(account, by=by, **(profile or {}))
        elif AgentProfile.objects.filter(user=account, published=True).update(published=False):
            profile_fields = ["published"]
        agent_reports.account_changed(account, before=before, by=by, request=request)
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
    rules.check(by, "manage_accounts", request=request)
    _check_kept(by, user.role, target_id=user.pk, request=request)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        account.set_password(password)
        account.save(update_fields=["password"])
        record(AuditAction.ACCOUNT, request=request, by=by, target=account, change="password_reset")
    if request is not None and request.user.pk == account.pk:
        update_session_auth_hash(request, account)


# --- Lock-outs and second factors -------------------------------------------------------------


def unlock(user: User, *, by, request=None) -> None:
    """Lift the lock-outs of the account at every address (``throttle``), once bureau staff
    have made sure it is the owner who asks."""
    rules.check(by, "manage_accounts", request=request)
    _check_kept(by, user.role, target_id=user.pk, request=request)
    with transaction.atomic():
        throttle.unlock(user.username)
        record(AuditAction.ACCOUNT, request=request, by=by, target=user, change="unlock")


RESET_NOTICE = (
    "系统管理员已重置您的动态口令，原来的身份验证器和恢复码都已作废。"
    "下次登录时请按提示重新绑定。如果不是您本人申请的，请立即联系系统管理员。"
)


def reset_second_factor(user: User, *, by: User | None, request=None) -> None:
    """The system administrator's action for a lost phone: the account's authenticator and
    recovery codes are removed; at the next login the account sets up a new one (where it
    must have one). The user is told by a notice. Nobody resets their own; ``by=None`` is the
    server's shell (``xinfang reset_second_factor``), for a system administrator who lost both
    the phone and the recovery codes."""
    _check(by, "reset_second_factor", request)
    if by is not None and by.pk == user.pk:
        raise AccountError("不能重置自己的动态口令，请由其他系统管理员操作。")
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        removed = SecondFactor.objects.filter(user=account).delete()[0]
        codes = RecoveryCode.objects.filter(user=account).delete()[0]
        if not removed and not codes:
            raise AccountError("该账户没有绑定动态口令，无需重置。")
        record(
            AuditAction.ACCOUNT,
            request=request,
            by=by,
            actor_name=_actor_name(by),
            target=account,
            change="second_factor_reset",
        )
        alerts.tell([account], level="warning", text=RESET_NOTICE)
