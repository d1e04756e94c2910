"""What a session remembers about its login: when it began, and how the second factor was passed.

A session half-way through logging in (the password was right, the dynamic code is still to
come, or has yet to be set up) is not logged in: it holds only ``PENDING``, who and since
when, so no page behind the login can be reached before the second factor. Once the login is
complete the session carries ``LOGIN_AT`` (its absolute lifetime counts from there) and
``SECOND_FACTOR`` (how it was passed); ``middleware.LoginSessionMiddleware`` ends a logged-in
session that lacks them or has outlived ``SESSION_MAX_HOURS``, and has it saved again
(``renew``: its 30 idle minutes start again) once ``SESSION_RENEW_SECONDS`` have passed since
it was last saved, not on every request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login

LOGIN_AT = "xinfang_login_at"
SECOND_FACTOR = "xinfang_second_factor"
PENDING = "xinfang_pending_login"
SAVED_AT = "xinfang_saved_at"  # when the session was last saved with its idle expiry moved on

VERIFY = "verify"  # the account has an authenticator: the code comes next
ENROL = "enrol"  # the account must have one and has none: setting it up comes next

BACKEND = "xinfang.accounts.backends.UserWithUnitBackend"  # settings.AUTHENTICATION_BACKENDS


@dataclass(frozen=True)
class Pending:
    user_id: int
    step: str
    next_url: str


def start_pending(request, user, *, step: str, next_url: str, now: datetime.datetime) -> None:
    # A new session key: whoever knew the old one (fixation) does not share the half-login.
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "step": step, "next": next_url, "since": now.timestamp()}


def pending(session, now: datetime.datetime) -> Pending | None:
    """The half-login of this session, unless there is none or it is older than
    ``LOGIN_PENDING_MINUTES`` (then it is dropped)."""
    data = session.get(PENDING)
    if not data:
        return None
    if now.timestamp() - data["since"] > settings.LOGIN_PENDING_MINUTES * 60:
        session.pop(PENDING, None)
        return None
    return Pending(user_id=data["user"], step=data["step"], next_url=data["next"])


def clear_pending(session) -> None:
    session.pop(PENDING, None)


def mark_complete(session, *, method: str, now: datetime.datetime) -> None:
    session[LOGIN_AT] = now.timestamp()
    session[SECOND_FACTOR] = method
    session[SAVED_AT] = now.timestamp()
    session.pop(PENDING, None)


def complete_login(request, user, *, method: str, now: datetime.datetime) -> None:
    """Log the user in (a new session key) and mark the session as a complete login."""
    login(request, user, backend=BACKEND)
    mark_complete(request.session, method=method, now=now)


def is_complete(session) -> bool:
    return LOGIN_AT in session and SECOND_FACTOR in session


def outlived(session, now: datetime.datetime) -> bool:
    return now.timestamp() - session[LOGIN_AT] > settings.SESSION_MAX_HOURS * 3600


def renew(session, now: datetime.datetime) -> None:
    """Have the session saved at the end of this request, which moves its expiry to
    ``SESSION_COOKIE_AGE`` from now, when it was last saved ``SESSION_RENEW_SECONDS`` or more
    ago; else leave it (no write). A session saved for another reason (a message, a login step)
    renews itself anyway, and records the time so the next requests need not."""
    if session.modified or now.timestamp() - session.get(SAVED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
        session[SAVED_AT] = now.timestamp()
