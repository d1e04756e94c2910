"""What changes state in the API app: tokens (made, revoked), machine accounts, each request's
count and address, and the answers kept for retried writes.

1. A personal token is made and revoked by its user on their own page (``use_api``); a machine
   account for another system, with its read-only token, by bureau staff
   (``manage_api_accounts``). The token is returned once, here, and kept only as its SHA-256.
   Making, revoking and the first use from a new address are rows of the audit log.
2. ``admit`` runs for every request: the token must be current and its user active (a
   deactivated user's token stops at once); the request is counted in the token's row in one
   conditional UPDATE, so that every server process sees the same count and the limit cannot be
   passed by parallel requests; a new address is remembered and logged.
3. ``begin_write`` / ``finish_write`` keep the first answer to a write sent with an
   ``Idempotency-Key`` (``idempotency``).
"""

from __future__ import annotations

import datetime
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from xinfang.access import rules
from xinfang.access.models import Role
from xinfang.accounts.models import Unit, User
from xinfang.api.models import ApiToken, IdempotentAnswer, TokenAddress
from xinfang.audit.actions import client_ip, record
from xinfang.audit.models import AuditAction
from xinfang.core.errors import DomainError

USE = "use_api"
MANAGE = "manage_api_accounts"
TOKEN_PREFIX = "xf_"  # noqa: S105 (what every token starts with, not a secret)
SHOWN_PREFIX = 11  # "xf_" and 8 characters: enough to tell one's tokens apart, never to guess one
KEEP_ANSWERS = datetime.timedelta(hours=24)
# A write whose answer was never kept (the process died in between) frees its key after this.
ABANDONED_AFTER = datetime.timedelta(minutes=2)


class TokenError(DomainError):
    """A token or machine account the rules refuse; ``field`` names the form field."""


class RateLimited(DomainError):
    """Too many requests this minute for the token; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(
            f"该令牌每分钟最多{settings.API_REQUESTS_PER_MINUTE}次请求，请于{retry_after}秒后再试。"
        )
        self.retry_after = retry_after


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _expiry(expires_on: datetime.date | None) -> datetime.datetime:
    """The end of the day ``expires_on`` (local time): between tomorrow and the longest term."""
    today = timezone.localdate()
    longest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_on is None:
        raise TokenError("请填写有效期。", "expires_on")
    if expires_on <= today:
        raise TokenError("有效期应晚于今天。", "expires_on")
    if expires_on > longest:
        raise TokenError(f"有效期最长{settings.API_TOKEN_MAX_DAYS}天（至{longest:%Y-%m-%d}）。", "expires_on")
    end = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(end)


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("请填写令牌名称（如：12345热线对接、统计报表工具）。", "name")
    return name[:60]


def _make_token(user: User, *, by, name: str, expires_on, request, change: str) -> tuple[ApiToken, str]:
    secret = _new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=_name(name),
        prefix=secret[:SHOWN_PREFIX],
        digest=digest_of(secret),
        created_by=by,
        expires_at=_expiry(expires_on),
    )
    record(
        AuditAction.ACCOUNT,
        request=request,
        by=by,
        target=token,
        change=change,
        account=user.pk,
        prefix=token.prefix,
        expires=token.expires_at.isoformat(),
    )
    return token, secret


def create_token(*, by, name: str, expires_on: datetime.date, request=None) -> tuple[ApiToken, str]:
    """A personal token of ``by``: it acts as ``by`` with exactly their role and unit. Returns the
    token and its secret, which is never shown again."""
    rules.check(by, USE, request=request, target_type="api.ApiToken", target_id="new")
    with transaction.atomic():
        return _make_token(
            by, by=by, name=name, expires_on=expires_on, request=request, change="api_token_created"
        )


def _check_keeper(token: ApiToken, by, request) -> None:
    """Who may revoke: the token's own user (personal tokens), bureau staff (machine tokens)."""
    if token.user_id == by.pk and not rules.is_machine(token.user):
        rules.check(by, USE, request=request, target_type="api.ApiToken", target_id=token.pk)
    elif rules.is_machine(token.user):
        rules.check(by, MANAGE, request=request, target_type="api.ApiToken", target_id=token.pk)
    else:
        raise rules.refuse(by, USE, target_type="api.ApiToken", target_id=token.pk, request=request)


def revoke_token(token: ApiToken, *, by, request=None) -> ApiToken:
    """The token stops working at once. Revoking twice changes nothing."""
    _check_keeper(token, by, request)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        record(AuditAction.ACCOUNT, request=request, by=by, target=token, change="api_token_revoked")
        return token


# --- Machine accounts ---------------------------------------------------------------------------------


def create_machine_account(
    *, by, name: str, unit: Unit | None, expires_on: datetime.date, request=None
) -> tuple[User, ApiToken, str]:
    """An account for another system that reads one unit's data (``unit``) or the county's
    (``unit`` None), through the API only: no password that could log in. Its first token is
    returned with it."""
    rules.check(by, MANAGE, request=request, target_type="accounts.User", target_id="machine")
    name = _name(name)
    if unit is not None and not unit.active:
        raise TokenError("该单位已停用。", "unit")
    with transaction.atomic():
        account = User(
            username=f"api-{secrets.token_hex(5)}",
            full_name=name[:30],
            role=Role.API_UNIT if unit is not None else Role.API_COUNTY,
            unit=unit,
        )
        account.set_unusable_password()
        account.save()
        record(
            AuditAction.ACCOUNT,
            request=request,
            by=by,
            target=account,
            change="api_account_created",
            role=account.role,
            unit=unit.pk if unit else None,
        )
        token, secret = _make_token(
            account, by=by, name=name, expires_on=expires_on, request=request, change="api_token_created"
        )
    return account, token, secret


def _machine(account: User, by, request) -> None:
    rules.check(by, MANAGE, request=request, target=account)
    if not rules.is_machine(account):
        raise rules.refuse(by, MANAGE, target_type="accounts.User", target_id=account.pk, request=request)


def new_machine_token(
    account: User, *, by, name: str, expires_on: datetime.date, request=None
) -> tuple[ApiToken, str]:
    """Another token for a machine account (the old one about to expire, say)."""
    _machine(account, by, request)
    if not account.is_active:
        raise TokenError("该接口账户已停用。", "name")
    with transaction.atomic():
        return _make_token(
            account, by=by, name=name, expires_on=expires_on, request=request, change="api_token_created"
        )


def deactivate_machine(account: User, *, by, request=None) -> User:
    """The account and every token of it stop at once."""
    _machine(account, by, request)
    with transaction.atomic():
        now = timezone.now()
        account = User.objects.select_for_update().get(pk=account.pk)
        if account.is_active:
            account.is_active = False
            account.save(update_fields=["is_active"])
            record(
                AuditAction.ACCOUNT, request=request, by=by, target=account, change="api_account_deactivated"
            )
        ApiToken.objects.filter(user=account, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    return account


# --- Each request --------------------------------------------------------------------------------------


def _current(token: ApiToken | None, now: datetime.datetime) -> bool:
    return (
        token is not None
        and token.revoked_at is None
        and token.expires_at > now
        and token.user.is_active
        and rules.reach(token.user, USE) is not None
    )


def admit(secret: str, *, request, now: datetime.datetime | None = None) -> ApiToken | None:
    """The token ``secret`` names, if it may be used now (else None: the request is not
    authenticated), after counting the request; ``RateLimited`` past the limit."""
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__unit").filter(digest=digest_of(secret)).first()
        if secret.startswith(TOKEN_PREFIX) and len(secret) < 100
        else None
    )
    if token is None or not _current(token, now):
        return None
    minute = now.replace(second=0, microsecond=0)
    ip = client_ip(request)
    counted = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(~Q(window_start=minute) | Q(window_count__lt=settings.API_REQUESTS_PER_MINUTE))
        .update(
            window_count=Case(When(window_start=minute, then=F("window_count") + 1), default=Value(1)),
            window_start=minute,
            last_used_at=now,
            last_used_ip=ip,
        )
    )
    if not counted:
        raise RateLimited(max(1, math.ceil(60 - (now - minute).total_seconds())))
    if ip != token.last_used_ip:
        _remember(token, ip, request)
    return token


def _remember(token: ApiToken, ip: str | None, request) -> None:
    """The first use of a token from an address is written to the audit log (like a login)."""
    if TokenAddress.objects.filter(token=token, ip=ip).exists():
        return
    try:
        with transaction.atomic():
            TokenAddress.objects.create(token=token, ip=ip)
            record(
                AuditAction.LOGIN,
                request=request,
                by=token.user,
                target=token,
                via="api_token",
                prefix=token.prefix,
                new_address=True,
            )
    except IntegrityError:
        pass  # a parallel request from the same new address logged it


# --- Answers kept for retried writes (``idempotency``) ------------------------------------------------


@dataclass(frozen=True)
class Begun:
    """What ``begin_write`` found: nothing yet (``answer`` is this request's row, to finish), the
    first answer (``replay``), another request with the key still at work (``busy``), or the key
    used before for another request (``reused``)."""

    answer: IdempotentAnswer | None = None
    replay: IdempotentAnswer | None = None
    busy: bool = False
    reused: bool = False


def begin_write(
    token: ApiToken, key: str, fingerprint: str, *, now: datetime.datetime | None = None
) -> Begun:
    now = now or timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                IdempotentAnswer.objects.filter(created_at__lt=now - KEEP_ANSWERS).delete()
                made = IdempotentAnswer.objects.create(token=token, key=key, fingerprint=fingerprint)
            return Begun(answer=made)
        except IntegrityError:
            pass
        row = IdempotentAnswer.objects.filter(token=token, key=key).first()
        if row is None:
            continue  # removed meanwhile: try again
        if row.fingerprint != fingerprint:
            return Begun(reused=True)
        if row.status:
            return Begun(replay=row)
        if row.created_at >= now - ABANDONED_AFTER:
            return Begun(busy=True)
        IdempotentAnswer.objects.filter(pk=row.pk, status=0).delete()  # abandoned: start again
    return Begun(busy=True)


def finish_write(answer: IdempotentAnswer, *, status: int, content_type: str, body: str) -> None:
    """Keep the answer (a final one: not a server error, not a limit); else free the key."""
    if status >= 500 or status == 429:
        IdempotentAnswer.objects.filter(pk=answer.pk).delete()
        return
    answer.status, answer.content_type, answer.body = status, content_type[:60], body
    answer.save(update_fields=["status", "content_type", "body"])
