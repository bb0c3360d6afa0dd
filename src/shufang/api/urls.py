from django.urls import path

from shufang.api.acquisitions import bookshop_api
from shufang.api.v1 import api

urlpatterns = [path("bookshop/", bookshop_api.urls), path("", api.urls)]
