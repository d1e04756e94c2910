from django.urls import path

from xinfang.cases import views, views_casefile, views_ledger, views_steps

app_name = "cases"
urlpatterns = [
    path("", views_ledger.case_list, name="list"),
    path("export.xlsx", views_ledger.ledger_export, name="export"),
    path("export/full/", views_ledger.ledger_export_full, name="export_full"),
    path("export/start/", views_ledger.ledger_export_start, name="export_start"),
    path("export/<uuid:job>/", views_ledger.export_job, name="export_job"),
    path("export/<uuid:job>/file.xlsx", views_ledger.export_job_file, name="export_job_file"),
    path("find/", views_ledger.find_by_query_code, name="find"),
    path("work/", views_ledger.work, name="work"),
    path("print/", views_casefile.ledger_print, name="ledger_print"),
    path("new/", views.case_new, name="new"),
    path("history/", views.petitioner_history, name="history"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/scope/", views.case_scope, name="scope"),
    path("<int:pk>/authorization/", views.authorization, name="authorization"),
    path("<int:pk>/authorization.docx", views.authorization_docx, name="authorization_docx"),
    path("<int:pk>/files/<int:file_pk>/", views.case_file, name="file"),
    path("<int:pk>/prepared/", views.prepared, name="prepared"),
    path("<int:pk>/case-file.zip", views_casefile.case_file, name="case_file"),
    path("<int:pk>/case-file/full/", views_casefile.case_file_full, name="case_file_full"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    # The page of every step with a form (the registry, ``steps``).
    path("<int:pk>/step/<str:name>/", views_steps.step, name="step"),
]
