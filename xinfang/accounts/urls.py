from django.urls import path

from xinfang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.verify_view, name="second_factor_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("second-factor/", views.second_factor_view, name="second_factor"),
    path("second-factor/enrol/", views.enrol_view, name="second_factor_enrol"),
    path("second-factor/accounts/", views.second_factor_accounts, name="second_factor_accounts"),
    path("second-factor/accounts/<int:pk>/reset/", views.second_factor_reset, name="second_factor_reset"),
]
