from django.urls import path

from xinfang.oversight import views

app_name = "oversight"
urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/dispose/", views.report_dispose, name="report_dispose"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/rectified/", views.inspection_rectified, name="inspection_rectified"),
]
