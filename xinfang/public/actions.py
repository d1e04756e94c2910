"""What changes state here: a try at the progress lookup, and a publicity entry.

The lookup (``look_up``) follows these steps:

1. Normalise what was typed (full-width characters as typed on a phone become ASCII; spaces go).
2. Refuse at once, without looking at the code, when this address or this code has
   ``MAX_FAILURES`` counted failures in the last ``WINDOW``; the try is recorded and logged.
3. Find the case by the keyed hash of the 查询码 (the code itself is never stored, logged or
   put in a URL) and compare the last four digits of the petitioner's mobile in constant time.
4. Record the try (address, keyed hash of the code, time, outcome), log it in the audit log
   (never the code or the digits), and either return the case or raise one generic message
   that does not tell a wrong code from wrong digits.

A successful lookup is carried to the rating form in a signed token valid for
``TOKEN_MAX_AGE`` seconds, naming the case; hidden fields are never trusted on their own.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata

from django.core import signing
from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.audit.actions import client_ip, record
from xinfang.audit.models import AuditAction
from xinfang.cases.models import Case, query_code_key, query_code_keys
from xinfang.core import crypto
from xinfang.core.errors import DomainError
from xinfang.core.locks import serialize
from xinfang.core.validators import fold_query_code
from xinfang.public import selectors
from xinfang.public.models import LookupAttempt, PublicityEvent, PublicityKind

MAX_FAILURES = 5
WINDOW = datetime.timedelta(minutes=10)
# Five tries every ten minutes would still allow ~720 guesses a day at the four digits of one
# code; a daily cap per code keeps that to a handful.
DAILY_MAX_FAILURES = 20
DAY = datetime.timedelta(days=1)
KEEP_ATTEMPTS = datetime.timedelta(days=1)  # then only the audit log remembers
SIGNING_NAMESPACE = "xinfang.public.track"  # the salt of django.core.signing, not a secret
TOKEN_MAX_AGE = 15 * 60

WRONG = "查询码或手机号后四位不正确，请核对后重新输入。"
EXPIRED = "查询已超过15分钟，为保护信访人信息，请重新输入查询码和手机号后四位。"


class LookupRefused(DomainError):
    """A refused lookup; ``message`` is for the citizen; ``retry_at``, when throttled, the moment
    the lookup opens again."""

    retry_at: datetime.datetime | None = None


def _throttled(retry_at: datetime.datetime) -> LookupRefused:
    refused = LookupRefused(throttled_message(retry_at))
    refused.retry_at = retry_at
    return refused


def normalize_digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value or ""))


def code_hash(code: str) -> str:
    """The key under which tries at one code are counted: case-insensitive, keyed, never the code."""
    return query_code_key(code)


def _mobile_tail(case: Case) -> str:
    """The last four digits of the number on record: the mobile, or the landline of a petitioner
    without one."""
    return normalize_digits(case.petitioner.phone_on_record)[-4:]


def _locked_until(times: list[datetime.datetime]) -> datetime.datetime | None:
    """With failures newest first, the lock lifts when the MAX_FAILURES-th newest leaves the window."""
    return times[MAX_FAILURES - 1] + WINDOW if len(times) >= MAX_FAILURES else None


def _clock(moment: datetime.datetime) -> str:
    """14:35, rounded up to the minute: coming back at the time said always works."""
    local = timezone.localtime(moment)
    minutes = math.ceil((local.minute * 60 + local.second + local.microsecond / 1e6) / 60)
    rounded = local.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(minutes=minutes)
    return f"{rounded:%H:%M}"


def throttled_message(retry_at: datetime.datetime) -> str:
    return (
        f"查询码或手机号后四位已连续输错{MAX_FAILURES}次，为保护信访人信息，查询已暂停。"
        f"请于{_clock(retry_at)}以后再试（{WINDOW.seconds // 60}分钟内最多可输错{MAX_FAILURES}次）。"
        "如忘记查询码，请联系为您代理的代理员。"
    )


def look_up(*, code: str, last4: str, request, now: datetime.datetime | None = None) -> Case:
    """Return the case whose 查询码 is ``code`` and whose petitioner's mobile ends in ``last4``;
    else raise LookupRefused with the message to show. See the module's docstring."""
    now = now or timezone.now()
    typed = fold_query_code(code)
    digits = normalize_digits(last4)
    key = code_hash(typed)
    ip = client_ip(request)
    with transaction.atomic():
        # Tries at one code queue up, so parallel guesses cannot all pass the count at once.
        serialize(key)
        LookupAttempt.objects.filter(at__lt=now - KEEP_ATTEMPTS).delete()
        by_ip, by_code = selectors.failures_since(ip=ip, code_hash=key, since=now - WINDOW)
        _, today_by_code = selectors.failures_since(ip=ip, code_hash=key, since=now - DAY)
        locks = [t for t in (_locked_until(by_ip), _locked_until(by_code)) if t is not None]
        if len(today_by_code) >= DAILY_MAX_FAILURES:
            locks.append(today_by_code[DAILY_MAX_FAILURES - 1] + DAY)
        if locks:
            retry_at = max(locks)
            LookupAttempt.objects.create(ip=ip, code_hash=key, at=now, success=False, throttled=True)
            record(
                AuditAction.ACCESS_DENIED,
                request=request,
                target_type="cases.Case",
                public="track",
                reason="throttled",
            )
            throttled = _throttled(retry_at)
        else:
            throttled = None
            # Every key of the ring: during a key rotation a case may hold its hash under an older one.
            candidates = selectors.candidate_cases(set(query_code_keys(typed)) if len(digits) == 4 else set())
            found = None
            for case in candidates:
                # Every candidate is compared, so the time taken does not say which one matched.
                if crypto.constant_time_equal(_mobile_tail(case), digits) and found is None:
                    found = case
            if not candidates:
                crypto.constant_time_equal("0000", digits)
            LookupAttempt.objects.create(ip=ip, code_hash=key, at=now, success=found is not None)
            if found is not None:
                record(AuditAction.REVEAL, request=request, target=found, public="track")
            else:
                record(
                    AuditAction.ACCESS_DENIED,
                    request=request,
                    target_type="cases.Case",
                    target_id=candidates[0].pk if candidates else "",
                    public="track",
                    reason="wrong_digits" if candidates else "no_such_code",
                )
    if throttled is not None:
        raise throttled
    if found is None:
        left = MAX_FAILURES - max(len(by_ip), len(by_code)) - 1
        if left <= 0:
            retry_at = max(t for t in (_locked_until([now, *by_ip]), _locked_until([now, *by_code])) if t)
            raise _throttled(retry_at)
        raise LookupRefused(f"{WRONG}（再输错{left}次，查询将暂停{WINDOW.seconds // 60}分钟。）")
    return found


# --- The signed token that carries a verified lookup to the rating form --------------------------


def lookup_token(case: Case) -> str:
    # The hash fragment ties the token to the code it was verified with: a corrected code
    # (the agent re-entering it) ends the token's use.
    return signing.dumps({"c": case.pk, "h": case.query_code_hash[:16]}, salt=SIGNING_NAMESPACE)


def case_for_token(token: str) -> Case:
    """The case a lookup token names, if the token is genuine, fresh, and the code unchanged."""
    try:
        data = signing.loads(token or "", salt=SIGNING_NAMESPACE, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise LookupRefused(EXPIRED) from exc
    case = selectors.tracked_case(int(data.get("c", 0))) if isinstance(data, dict) else None
    if case is None or not crypto.constant_time_equal(case.query_code_hash[:16], str(data.get("h", ""))):
        raise LookupRefused(EXPIRED)
    return case


# --- The publicity log ------------------------------------------------------------------------------


class PublicityError(DomainError):
    """A publicity entry the rules refuse; ``field`` names the form field."""


def record_publicity(
    *, by, unit, on: datetime.date, place: str, kind: str, people: int, note: str = ""
) -> PublicityEvent:
    """Write down one piece of publicity work (宣传引导) of a unit, for the figures: an agent
    for the own unit, bureau staff for any (``publicity`` in the capability table)."""
    rules.check(by, selectors.PUBLICITY, unit=unit)
    if not unit.active:
        raise PublicityError("该单位已停用，不能登记宣传记录。", "unit")
    if on.year < 2000:
        raise PublicityError("日期不对，请核对。", "on")
    if on > timezone.localdate():
        raise PublicityError("日期不能晚于今天。", "on")
    if kind not in PublicityKind.values:
        raise PublicityError("请选择宣传形式。", "kind")
    if people is None or people < 1:
        raise PublicityError("覆盖人数至少为1。", "people_reached")
    place = (place or "").strip()
    if not place:
        raise PublicityError("请填写地点。", "place")
    with transaction.atomic():
        return PublicityEvent.objects.create(
            unit=unit,
            on=on,
            place=place,
            kind=kind,
            people_reached=people,
            note=(note or "").strip(),
            recorded_by=by,
        )
