from django.urls import path

from xinfang.accounts import manage_views, views

app_name = "manage"
urlpatterns = [
    path("units/", manage_views.unit_list, name="units"),
    path("units/new/", manage_views.unit_new, name="unit_new"),
    path("units/<int:pk>/", manage_views.unit_edit, name="unit_edit"),
    path("users/", manage_views.user_list, name="users"),
    path("users/new/", manage_views.user_new, name="user_new"),
    path("users/<int:pk>/", manage_views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", manage_views.user_password, name="user_password"),
    path("users/<int:pk>/unlock/", manage_views.user_unlock, name="user_unlock"),
    path("agents/<int:pk>/photo/", views.agent_photo, name="agent_photo"),
]
