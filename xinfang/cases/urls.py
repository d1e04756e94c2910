from django.urls import path

from xinfang.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.xlsx", views.ledger_export, name="export"),
    path("export/full/", views.ledger_export_full, name="export_full"),
    path("find/", views.find_by_query_code, name="find"),
    path("new/", views.case_new, name="new"),
    path("history/", views.petitioner_history, name="history"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/scope/", views.case_scope, name="scope"),
    path("<int:pk>/authorization/", views.authorization, name="authorization"),
    path("<int:pk>/authorization.docx", views.authorization_docx, name="authorization_docx"),
    path("<int:pk>/authorize/", views.authorize, name="authorize"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/files/<int:file_pk>/", views.case_file, name="file"),
    path("<int:pk>/prepared/", views.prepared, name="prepared"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/step/<str:name>/", views.step, name="step"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("work/", views.work, name="work"),
]
