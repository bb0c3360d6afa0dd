from django.urls import path

from shufang.web.staff.statistics import views

urlpatterns = [
    path("", views.dashboard, name="statistics-dashboard"),
    path("report.<str:fmt>", views.report_download, name="statistics-report"),
    path("texts/", views.texts, name="statistics-texts"),
    path("visits/", views.visits, name="statistics-visits"),
]
