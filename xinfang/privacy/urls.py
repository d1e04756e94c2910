from django.urls import path

from xinfang.privacy import views

app_name = "privacy"
urlpatterns = [
    path("retention/", views.retention, name="retention"),
    path("retention/rule/", views.retention_rule, name="retention_rule"),
    path("retention/run/", views.retention_run, name="retention_run"),
    path("requests/", views.person, name="person"),
    path("requests/export/", views.person_export, name="person_export"),
    path("requests/erase/", views.person_erase, name="person_erase"),
]
