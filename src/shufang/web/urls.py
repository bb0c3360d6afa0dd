from django.urls import include, path

from shufang.web import views
from shufang.web.account import views as account_views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", include("shufang.web.staff.urls")),
    path("account/login/", account_views.account_login, name="account-login"),
    path("account/logout/", account_views.account_logout, name="account-logout"),
    path("account/", account_views.account_home, name="account"),
]
