"""Counting failed logins (等保: 登录失败处理), in the database, the same for every server process.

Four counters decide whether an attempt is looked at at all:

1. The pair (account, address): ``LOGIN_MAX_FAILURES`` failures in a row lock the pair for
   ``LOGIN_LOCK_MINUTES``. The lock-out holds at that address only: the account's owner at
   another address can still log in.
2. The address, whatever the accounts: ``LOGIN_ADDRESS_MAX_FAILURES`` failures within
   ``LOGIN_LOCK_MINUTES`` lock the address for ``LOGIN_LOCK_MINUTES``.
3. The platform: once ``LOGIN_PLATFORM_MAX_FAILURES`` failures fall within
   ``LOGIN_PLATFORM_WINDOW_MINUTES``, only pairs that logged in successfully within
   ``LOGIN_KNOWN_PAIR_DAYS`` are admitted until the window ends, so that many addresses
   together guess no faster, while people at their usual desks still get in.
4. The account: failures from ``LOGIN_ALERT_ADDRESSES`` or more addresses within the platform
   window make an alert for the system administrators and the owner (once per window).

Race safety: an attempt is counted as a failure *before* its password is checked, in a short
transaction that locks the counter rows (always in the order platform, address, pair); a
success gives the count back. Parallel guesses therefore cannot all pass a check made before
any of them was counted, and no row stays locked during the slow password hash.

User names are counted lower-cased as typed, whether or not such an account exists, so that
an unknown name answers exactly like a real one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from xinfang.accounts.models import CounterScope, LoginCounter

PAIR, ADDRESS, ACCOUNT, PLATFORM = (
    CounterScope.PAIR,
    CounterScope.ADDRESS,
    CounterScope.ACCOUNT,
    CounterScope.PLATFORM,
)
# Rows nobody touched for this long are dropped when a new one is made: names and addresses
# invented by an attacker must not fill the table.
STALE_AFTER = datetime.timedelta(days=1)


def lock_time() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def platform_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_PLATFORM_WINDOW_MINUTES)


def limits() -> dict[str, int | None]:
    return {
        PLATFORM: None,
        ADDRESS: settings.LOGIN_ADDRESS_MAX_FAILURES,
        PAIR: settings.LOGIN_MAX_FAILURES,
    }


def username_key(username: str) -> str:
    return username.strip().lower()[:150]


@dataclass(frozen=True)
class Admission:
    """What ``admit`` decided. ``counted``: the attempt may go on, and is counted as a failure
    until ``give_back``. Otherwise ``refused_by`` names the counter and ``until`` when it ends."""

    username: str
    address: str
    counted: bool
    refused_by: str = ""
    until: datetime.datetime | None = None
    locked: tuple[str, ...] = ()  # counters this very attempt locked, should it fail
    failures: int = 0  # the pair's failures in a row, this attempt included


@dataclass(frozen=True)
class Alerts:
    platform_failures: int = 0  # > 0: the platform limit was just passed
    addresses: int = 0  # > 0: this account was just tried from this many addresses


def _window(scope: str) -> datetime.timedelta | None:
    windows: dict[str, datetime.timedelta | None] = {
        PAIR: None,
        ADDRESS: lock_time(),
        PLATFORM: platform_window(),
        ACCOUNT: platform_window(),
    }
    return windows[scope]


def _prune(now: datetime.datetime) -> None:
    known = now - datetime.timedelta(days=settings.LOGIN_KNOWN_PAIR_DAYS)
    (
        LoginCounter.objects.filter(updated_at__lt=now - STALE_AFTER)
        .exclude(scope=PLATFORM)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(last_success_at__isnull=True) | Q(last_success_at__lt=known))
        .delete()
    )


def _counter(scope: str, username: str, address: str, now: datetime.datetime) -> LoginCounter:
    """The row, locked for this transaction, its window and expired lock brought up to date."""
    rows = LoginCounter.objects.select_for_update()
    row = rows.filter(scope=scope, username=username, address=address).first()
    if row is None:
        made, created = LoginCounter.objects.get_or_create(
            scope=scope, username=username, address=address, defaults={"window_start": now}
        )
        if created:
            _prune(now)
        row = rows.get(pk=made.pk)
    window = _window(scope)
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.locked_until, row.window_start = 0, None, now
    elif window is not None and row.window_start <= now - window:
        row.failures, row.window_start = 0, now
    return row


def _rows(username: str, address: str, now) -> dict[str, LoginCounter]:
    # Always in this order, so that two attempts never wait for each other crosswise.
    return {
        PLATFORM: _counter(PLATFORM, "", "", now),
        ADDRESS: _counter(ADDRESS, "", address, now),
        PAIR: _counter(PAIR, username, address, now),
    }


def _known(pair: LoginCounter, now) -> bool:
    since = now - datetime.timedelta(days=settings.LOGIN_KNOWN_PAIR_DAYS)
    return pair.last_success_at is not None and pair.last_success_at >= since


def _refusal(rows: dict[str, LoginCounter], now) -> tuple[str, datetime.datetime | None]:
    for scope in (PAIR, ADDRESS):
        until = rows[scope].locked_until
        if until is not None and until > now:
            return scope, until
    platform = rows[PLATFORM]
    if platform.failures >= settings.LOGIN_PLATFORM_MAX_FAILURES and not _known(rows[PAIR], now):
        return PLATFORM, platform.window_start + platform_window()
    return "", None


def admit(*, username: str, address: str, now: datetime.datetime) -> Admission:
    """Refuse the attempt, or count it as a failure now and let it go on (see the module)."""
    key = username_key(username)
    with transaction.atomic():
        rows = _rows(key, address, now)
        refused_by, until = _refusal(rows, now)
        locked = []
        if not refused_by:
            for scope, limit in limits().items():
                row = rows[scope]
                row.failures += 1
                if limit is not None and row.failures >= limit and row.locked_until is None:
                    row.locked_until = now + lock_time()
                    locked.append(scope)
        for row in rows.values():
            row.save(update_fields=["failures", "window_start", "locked_until", "updated_at"])
    if refused_by:
        return Admission(key, address, counted=False, refused_by=refused_by, until=until)
    pair = rows[PAIR]
    return Admission(
        key,
        address,
        counted=True,
        locked=tuple(locked),
        until=pair.locked_until or rows[ADDRESS].locked_until,
        failures=pair.failures,
    )


def give_back(admission: Admission, *, now: datetime.datetime) -> None:
    """The attempt succeeded: its count is given back, and a lock only it had caused lifted."""
    with transaction.atomic():
        rows = _rows(admission.username, admission.address, now)
        for scope, limit in limits().items():
            row = rows[scope]
            row.failures = max(row.failures - 1, 0)
            if limit is not None and row.locked_until is not None and row.failures < limit:
                row.locked_until = None
            row.save(update_fields=["failures", "window_start", "locked_until", "updated_at"])


def logged_in(*, username: str, address: str, now: datetime.datetime) -> None:
    """A complete login (password and, where needed, second factor) ends the pair's run of
    failures, and makes the address one the account is known at."""
    with transaction.atomic():
        pair = _counter(PAIR, username_key(username), address, now)
        pair.failures, pair.locked_until, pair.last_success_at = 0, None, now
        pair.save()


def failed(admission: Admission, *, now: datetime.datetime, account_exists: bool) -> Alerts:
    """The attempt failed: its count stays. Returns the alerts this failure crosses into."""
    window = platform_window()
    with transaction.atomic():
        platform = _counter(PLATFORM, "", "", now)
        LoginCounter.objects.filter(
            scope=PAIR, username=admission.username, address=admission.address
        ).update(last_failure_at=now)
        platform_failures = 0
        if platform.failures >= settings.LOGIN_PLATFORM_MAX_FAILURES and (
            platform.alerted_at is None or platform.alerted_at < platform.window_start
        ):
            platform.alerted_at = now
            platform.save(update_fields=["alerted_at", "updated_at"])
            platform_failures = platform.failures
        addresses = 0
        if account_exists:
            tried_from = LoginCounter.objects.filter(
                scope=PAIR, username=admission.username, last_failure_at__gte=now - window
            ).count()
            if tried_from >= settings.LOGIN_ALERT_ADDRESSES:
                account = _counter(ACCOUNT, admission.username, "", now)
                if account.alerted_at is None or account.alerted_at < now - window:
                    account.alerted_at = now
                    account.save()
                    addresses = tried_from
    return Alerts(platform_failures=platform_failures, addresses=addresses)


def unlock(username: str) -> int:
    """Lift every lock of the account, at whatever address; how many there were."""
    return LoginCounter.objects.filter(scope=PAIR, username=username_key(username)).update(
        failures=0, locked_until=None
    )
