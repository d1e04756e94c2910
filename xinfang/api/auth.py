"""Who a request acts as: the user of its bearer token, and nobody else.

A session cookie never authenticates the API (so no form on another site can make a browser
act here: no CSRF surface); ``request.user`` is the token's user for the whole request, so
that every capability check, every selector and every audit row sees exactly that user.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer

from xinfang.api import actions


class TokenAuth(HttpBearer):
    def __call__(self, request):
        request.user = AnonymousUser()  # whatever the session said
        request.api_token = None
        return super().__call__(request)

    def authenticate(self, request, token: str):
        found = actions.admit(token.strip(), request=request)  # RateLimited past the limit
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        return found.user


def anonymous(request) -> bool:
    """For the operations without a token (the public look-up): nobody, whatever the session."""
    request.user = AnonymousUser()
    request.api_token = None
    return True
