"""Telling the page that a download has started, so it can stop saying 「正在生成…」.

A file response cannot update the page that asked for it. The page (app.js, on links and forms
marked ``data-download``) sends a random ``download_token``; the response carries it back in a
short-lived cookie, which the page watches for. The token is random and says nothing else.
"""

from __future__ import annotations

import re

from django.conf import settings

COOKIE = "xinfang_download"
TOKEN = re.compile(r"^[A-Za-z0-9]{8,32}$")


def mark(request, response):
    """Set the cookie on ``response`` when the request carried a well-formed token."""
    token = request.POST.get("download_token") or request.GET.get("download_token") or ""
    if TOKEN.match(token):
        response.set_cookie(
            COOKIE, token, max_age=120, samesite="Lax", httponly=False, secure=settings.SESSION_COOKIE_SECURE
        )
    return response
