from django.urls import path

from xinfang.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.home, name="home"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/replace/", views.replace, name="replace"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/run/", views.run, name="run"),
]
