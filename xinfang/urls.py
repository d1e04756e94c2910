from django.urls import include, path

from xinfang.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("xinfang.accounts.urls")),
    path("manage/", include("xinfang.accounts.manage_urls")),
    path("cases/", include("xinfang.cases.urls")),
    path("audit/", include("xinfang.audit.urls")),
    path("access/", include("xinfang.access.urls")),
    path("deadlines/", include("xinfang.deadlines.urls")),
    path("notify/", include("xinfang.notify.urls")),
    path("ratings/", include("xinfang.ratings.urls")),
    path("public/", include("xinfang.public.urls")),
    path("oversight/", include("xinfang.oversight.urls")),
    path("figures/", include("xinfang.figures.urls")),
    path("bulletins/", include("xinfang.bulletins.urls")),
    path("privacy/", include("xinfang.privacy.urls")),
    path("api/", include("xinfang.api.urls")),  # /api/v1/ and the token pages
    path("imports/", include("xinfang.imports.urls")),
    path("", include("xinfang.ops.urls")),  # /healthz
]
