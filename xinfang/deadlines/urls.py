from django.urls import path

from xinfang.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/template.csv", views.calendar_template, name="calendar_template"),
    path("clocks/", views.clocks, name="clocks"),
    path("clocks/<int:pk>/", views.clock_edit, name="clock_edit"),
    path("clocks/<int:pk>/apply/", views.clock_apply, name="clock_apply"),
]
