from django.urls import path

from xinfang.accounts import manage_views

app_name = "manage"
urlpatterns = [
    path("units/", manage_views.unit_list, name="units"),
    path("users/", manage_views.user_list, name="users"),
]
