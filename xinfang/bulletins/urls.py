from django.urls import path

from xinfang.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("draft.docx", views.draft, name="draft"),
    path("publish/", views.publish, name="publish"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/correct/", views.correct, name="correct"),
]
