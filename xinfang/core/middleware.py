from __future__ import annotations

import codecs

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponseBase
from django.utils.http import parse_header_parameters

# No inline script or style anywhere: every script and stylesheet is a local static file.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


PERSONAL_DATA = "personal_data"  # the mark on a response that shows personal data


def mark_personal(response: HttpResponseBase, personal: bool = True) -> None:
    """Mark ``response`` as showing personal data: never kept by a browser or a proxy, whoever
    asked (``SecurityHeadersMiddleware``)."""
    setattr(response, PERSONAL_DATA, personal)


class SecurityHeadersMiddleware:
    """CSP on every page; ``no-store`` on everything a logged-in user is shown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        static = request.path.startswith(settings.STATIC_URL)
        user = getattr(request, "user", None)
        if not static and (getattr(response, PERSONAL_DATA, False) or (user and user.is_authenticated)):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def is_text_charset(name: str | None) -> bool:
    """Whether a request's ``charset`` can decode text. An unknown name counts as text: Django
    ignores it and reads the body as UTF-8."""
    if not name:
        return True
    try:
        return codecs.lookup(name)._is_text_encoding  # noqa: SLF001
    except LookupError:
        return True


class CheckedWSGIRequest(WSGIRequest):
    """A WSGI request that never decodes with a codec that is no text encoding (``hex``, ``zlib``,
    ``rot13``: Python knows them, so Django would take them). Django sets the charset while the
    request is built, before any middleware, and decoding a query string with it raises
    ``LookupError``: the server's bare 500. Here the charset is kept in ``content_params`` only,
    for ``RequestEncodingMiddleware`` to refuse. ``xinfang.wsgi`` serves with this class."""

    def _set_content_type_params(self, meta):
        content_type, params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
        if is_text_charset(params.get("charset")):
            super()._set_content_type_params(meta)  # type: ignore[misc]  # private in Django; no stub
        else:
            self.content_type, self.content_params = content_type, params


class RequestEncodingMiddleware:
    """A body in a ``charset`` that is no text encoding makes Django's form parsing raise
    ``LookupError``, a 500. It is a bad request: the Chinese 400 page says so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_text_charset(request.content_params.get("charset")):
            raise BadRequest("request charset is not a text encoding")
        return self.get_response(request)
