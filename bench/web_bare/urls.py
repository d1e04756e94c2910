from django.urls import path

from web_bare import views

urlpatterns = [
    path("one/<int:pk>/", views.one),
    path("rows/", views.rows),
    path("twenty/", views.twenty),
]
