from django.urls import path

from xinfang.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.read, name="read"),
    path("outbox/", views.outbox, name="outbox"),
]
