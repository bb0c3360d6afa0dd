from django.urls import path

from shufang.api.v1 import api

urlpatterns = [path("", api.urls)]
