"""``/api/v1/`` (the API, its OpenAPI document and docs page) and the token pages."""

from __future__ import annotations

from django.urls import path, re_path

from xinfang.api import views
from xinfang.api.routes_cases import router as cases
from xinfang.api.routes_more import router as more
from xinfang.api.routes_steps import router as steps
from xinfang.api.v1 import api

api.add_router("", cases)
api.add_router("", steps)
api.add_router("", more)

app_name = "api"
urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^v1/", views.nowhere),  # any other address under the API: a problem, not a page
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("machines/", views.machines, name="machines"),
    path("machines/new/", views.machine_new, name="machine_new"),
    path("machines/<int:pk>/token/", views.machine_token, name="machine_token"),
    path("machines/<int:pk>/deactivate/", views.machine_deactivate, name="machine_deactivate"),
    path("machines/tokens/<int:pk>/revoke/", views.machine_revoke, name="machine_revoke"),
]
