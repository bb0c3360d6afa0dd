from django.urls import path

from shufang.web.bookshop import views

urlpatterns = [
    path("", views.lend, name="bookshop-lend"),
    path("login/", views.login, name="bookshop-login"),
    path("logout/", views.logout, name="bookshop-logout"),
]
