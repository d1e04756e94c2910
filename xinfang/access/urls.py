from django.urls import path

from xinfang.access import views

app_name = "access"
urlpatterns = [path("", views.access_table, name="table")]
