"""A refusal raised anywhere in a request (a view, an action) is answered as a missing page."""

from __future__ import annotations

from django.http import Http404
from django.views.defaults import page_not_found

from xinfang.access.rules import NOT_FOUND, Refused


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused):
            return page_not_found(request, Http404(NOT_FOUND))
        return None
