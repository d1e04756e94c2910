from django.urls import path

from xinfang.ratings import views

app_name = "ratings"
urlpatterns = [
    path("batch/", views.batch, name="batch"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/feedback/print/", views.feedback_print, name="feedback_print"),
    path("<int:pk>/feedback.docx", views.feedback_docx, name="feedback_docx"),
    path("<int:pk>/feedback/scan/", views.feedback_scan, name="feedback_scan"),
]
