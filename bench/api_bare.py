"""The yardstick of ``bench_api.py``: bare django-ninja endpoints that answer the same rows as the
API's list and detail, with the same schemas, but no token, no limit, no capability check and no
scoping: what django-ninja and the rows themselves cost. Mounted at /bare/ beside the platform."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from xinfang.accounts.models import User
from xinfang.api import present
from xinfang.api.schemas import CaseDetail, CasePage
from xinfang.cases.selectors import case_queryset
from xinfang.urls import urlpatterns as platform

bare = NinjaAPI(title="bare", urls_namespace="bare", docs_url=None, openapi_url=None)


@bare.get("/cases", response=CasePage)
def cases(request, limit: int = 50):
    rows = list(case_queryset().order_by("-received_on", "-pk")[:limit])
    return {"items": [present.case_row(c) for c in rows], "next_cursor": None}


@bare.get("/cases/{case_id}", response=CaseDetail)
def case(request, case_id: int):
    user = User.objects.get(username="bench")  # the same answer as the agent's
    return present.case_detail(case_queryset().get(pk=case_id), user)


urlpatterns = [path("bare/", bare.urls), *platform]
