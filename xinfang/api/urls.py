"""``/api/v1/`` (the API, its OpenAPI document and docs page) and the token pages."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern, path, re_path

from xinfang.api import views
from xinfang.api.problems import problem
from xinfang.api.routes_cases import router as cases
from xinfang.api.routes_more import router as more
from xinfang.api.routes_steps import router as steps
from xinfang.api.v1 import api

api.add_router("", cases)
api.add_router("", steps)
api.add_router("", more)


def _as_problems(view):
    """An address that takes other methods (405), or none at all, answers as a problem too."""

    @wraps(view)
    def answered(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return views.nowhere(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            detail = f"该地址不支持 {request.method[:10]} 请求，可用：{allowed}。"
            return problem(405, "method_not_allowed", detail, headers={"Allow": allowed})
        return response

    return answered


def _patterns():
    found, app, namespace = api.urls
    kept = [
        URLPattern(p.pattern, _as_problems(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in found
    ]
    return kept, app, namespace


app_name = "api"
urlpatterns = [
    path("v1/", _patterns()),
    re_path(r"^v1/", views.nowhere),  # any other address under the API: a problem, not a page
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("machines/", views.machines, name="machines"),
    path("machines/new/", views.machine_new, name="machine_new"),
    path("machines/<int:pk>/token/", views.machine_token, name="machine_token"),
    path("machines/<int:pk>/deactivate/", views.machine_deactivate, name="machine_deactivate"),
    path("machines/tokens/<int:pk>/revoke/", views.machine_revoke, name="machine_revoke"),
]
