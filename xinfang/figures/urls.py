from django.urls import path

from xinfang.figures import views

app_name = "figures"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets, name="targets"),
    path("targets/county/", views.county_target, name="county_target"),
    path("tallies/", views.tallies, name="tallies"),
    path("tallies/template.xlsx", views.tally_template, name="tally_template"),
    path("tallies/upload/", views.tally_upload, name="tally_upload"),
]
