"""The second factor (等保 level 3: two factors, one cryptographic): a dynamic code (动态口令,
TOTP, RFC 6238) from an authenticator app, and one-time recovery codes (恢复码) for the day
the phone is lost.

pyotp computes the codes; the secret is kept in our own ``SecondFactor`` row, encrypted like
personal data (django-otp would keep it, and its static recovery tokens, in clear).

1. ``start_enrolment``: a new secret, unconfirmed, shown as a QR code drawn here (SVG, no
   CDN, no script) and as text to type.
2. ``confirm_enrolment``: the first code proves the app holds the secret; the account then
   has a second factor and gets ten recovery codes, shown once and kept only as hashes.
3. ``check_code``: at login, a code of the current 30-second step (or the one before or
   after, for clocks a little off), never one of a step already used; or an unused
   recovery code, which is then used up.
4. ``regenerate_recovery_codes``: new codes, the old ones void (a current code is asked).
Resetting someone's second factor is the system administrator's ``actions.reset_second_factor``.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pyotp.utils import strings_equal

from xinfang.access import rules
from xinfang.accounts.actions import AccountError
from xinfang.accounts.models import RecoveryCode, SecondFactor, User
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction

RECOVERY_CODE_COUNT = 10
# 32 letters and digits without 0/O and 1/I: 16 of them carry 80 bits.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECOVERY_LENGTH = 16
VALID_WINDOW = 1  # one 30-second step either side

BAD_CODE = "动态口令不正确，请输入身份验证器应用中当前显示的6位数字。"
USED_CODE = "这个动态口令刚才已经用过，请等应用中出现新的口令后再输入。"
BAD_CODE_OR_RECOVERY = "动态口令或恢复码不正确，请重新输入。"
ALREADY = "该账户已经绑定了动态口令。如需更换，请联系系统管理员重置。"
NOT_ENROLLED = "该账户还没有绑定动态口令。"


# --- codes --------------------------------------------------------------------------------------


def digits_only(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def is_totp_code(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", digits_only(code)))


def normalize_recovery_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").upper()


def _digest(user: User, code: str) -> str:
    return hashlib.sha256(f"{user.pk}:{normalize_recovery_code(code)}".encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def matching_step(secret: str, code: str, now: datetime.datetime) -> int | None:
    """The 30-second step whose code this is (within one step of now), or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now.timestamp())
    code = digits_only(code)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _accept_totp(device: SecondFactor, code: str, now: datetime.datetime) -> None:
    """Accept the code once, or raise. The caller holds the device row locked."""
    step = matching_step(device.secret, code, now)
    if step is None:
        raise AccountError(BAD_CODE, field="code")
    if device.last_step is not None and step <= device.last_step:
        raise AccountError(USED_CODE, field="code")
    device.last_step = step
    device.save(update_fields=["last_step"])


# --- what the enrolment page shows --------------------------------------------------------------


def issuer() -> str:
    return f"{settings.COUNTY_NAME}{settings.SITE_TITLE}"


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer())


def qr_svg(uri: str) -> str:
    """The QR code as an inline SVG element: paths only, no script and no style attribute."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, light="#fff", dark="#000")


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- actions ------------------------------------------------------------------------------------


def _check_own(user: User, by, request=None) -> None:
    """Each sets up only the own authenticator: someone else's is reset by the system
    administrator (``actions.reset_second_factor``), never set up for them."""
    if by is None or by.pk != user.pk:
        raise rules.refuse(
            by, "reset_second_factor", target_type="accounts.SecondFactor", target_id=user.pk, request=request
        )


def confirmed(user: User) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def start_enrolment(user: User, *, by: User) -> SecondFactor:
    """An unconfirmed secret for the user (the same one again while it stays unconfirmed, so a
    page reloaded after scanning still matches the app)."""
    _check_own(user, by)
    with transaction.atomic():
        # Two pages opened at once must not both make a secret: the account row queues them.
        User.objects.select_for_update().get(pk=user.pk)
        device = SecondFactor.objects.filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise AccountError(ALREADY, field=None)
        if device is None:
            device = SecondFactor.objects.create(user=user, secret=pyotp.random_base32(32))
    return device


def _replace_recovery_codes(user: User) -> list[str]:
    codes = new_recovery_codes()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(user, c)) for c in codes])
    return codes


def confirm_enrolment(user: User, *, by: User, code: str, request=None) -> list[str]:
    """The first code proves the app holds the secret. Returns the recovery codes, to be shown
    this once."""
    _check_own(user, by, request)
    now = timezone.now()
    with transaction.atomic():
        device = SecondFactor.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise AccountError("请重新打开绑定页面，扫描新的二维码。", field=None)
        if device.confirmed_at is not None:
            raise AccountError(ALREADY, field=None)
        _accept_totp(device, code, now)
        device.confirmed_at = now
        device.save(update_fields=["confirmed_at"])
        codes = _replace_recovery_codes(user)
        record(AuditAction.ACCOUNT, request=request, by=by, target=user, change="second_factor_enrol")
    return codes


def regenerate_recovery_codes(user: User, *, by: User, code: str, request=None) -> list[str]:
    """New recovery codes; the old ones, used or not, stop working. A current dynamic code is
    asked, so that a session left open cannot take the codes."""
    _check_own(user, by, request)
    now = timezone.now()
    with transaction.atomic():
        device = (
            SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        )
        if device is None:
            raise AccountError(NOT_ENROLLED, field=None)
        _accept_totp(device, code, now)
        codes = _replace_recovery_codes(user)
        record(AuditAction.ACCOUNT, request=request, by=by, target=user, change="recovery_codes")
    return codes


def check_code(user: User, code: str, *, now: datetime.datetime) -> str:
    """At login: "totp" or "recovery" for a good code, or AccountError. Runs inside the
    caller's transaction; the device row (or the recovery code row) stays locked until then."""
    if is_totp_code(code):
        device = (
            SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        )
        if device is None:
            raise AccountError(BAD_CODE_OR_RECOVERY, field="code")
        _accept_totp(device, code, now)
        return "totp"
    if len(normalize_recovery_code(code)) == RECOVERY_LENGTH:
        used = RecoveryCode.objects.filter(
            user=user, digest=_digest(user, code), used_at__isnull=True
        ).update(used_at=now)
        if used:
            return "recovery"
    raise AccountError(BAD_CODE_OR_RECOVERY, field="code")


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
