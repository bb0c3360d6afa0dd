from django.urls import path

from shufang.web.opac import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="opac-search"),
    path("record/<int:pk>/", views.record_detail, name="opac-record"),
    path("record/<int:pk>/hold/", views.record_hold, name="opac-record-hold"),
    path("browse/clc/", views.browse_clc, name="opac-browse-clc"),
    path("new/", views.new_arrivals, name="opac-new"),
]
