from django.urls import path

from xinfang.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export.xlsx", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
    path("anchor/", views.anchor, name="anchor"),
]
