"""Every request's check of its session's login (after Django's authentication middleware).

1. A logged-in session that did not come through the whole login (``sessions.is_complete``:
   password, and second factor where needed) is logged out.
2. A logged-in session older than ``SESSION_MAX_HOURS`` (12 by default) is logged out, however
   busy it was: the 30 idle minutes are Django's ``SESSION_COOKIE_AGE``, this is the absolute
   lifetime (等保: 会话超时).
3. Any other logged-in session is saved again, its 30 idle minutes starting anew, when it was
   last saved a minute or more ago (``sessions.renew``): not a write on every request.
4. A session half-way through logging in is sent back to its second-factor step from every
   page except the open ones below.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts import sessions

# Where a visitor half-way through logging in may still go, by the first part of the path.
# Add a section by its name (e.g. "healthz" for /healthz).
# The API ("api") answers by its bearer tokens only, never by the session.
OPEN_SECTIONS = {"static", "public", "healthz", "api"}
# And the steps of logging in themselves (URL names).
OPEN_VIEWS = (
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor_verify",
    "accounts:second_factor_enrol",
)
STEP_VIEWS = {
    sessions.VERIFY: "accounts:second_factor_verify",
    sessions.ENROL: "accounts:second_factor_enrol",
}


@cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in OPEN_VIEWS)


def is_open(path: str) -> bool:
    return path.lstrip("/").split("/", 1)[0] in OPEN_SECTIONS or path in _open_paths()


class LoginSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = timezone.now()
        if request.user.is_authenticated:
            if not sessions.is_complete(session):
                logout(request)
            elif sessions.outlived(session, now):
                logout(request)
                messages.info(request, f"登录已满{settings.SESSION_MAX_HOURS}小时，为了安全，请重新登录。")
            else:
                sessions.renew(session, now)
        elif sessions.PENDING in session and not is_open(request.path):
            pending = sessions.pending(session, now)
            if pending is not None:
                return redirect(STEP_VIEWS[pending.step])
        return self.get_response(request)
