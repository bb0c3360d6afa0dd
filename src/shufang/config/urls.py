from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from shufang.api.oai import oai
from shufang.api.sru import sru

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("shufang.api.urls")),
    # Protocol endpoints for other libraries' systems: read-only, form POST allowed.
    path("sru", csrf_exempt(sru), name="sru"),
    path("oai", csrf_exempt(oai), name="oai"),
    path("", include("shufang.web.urls")),
]
