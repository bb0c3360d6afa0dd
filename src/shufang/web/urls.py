from django.urls import include, path

app_name = "web"
urlpatterns = [
    path("", include("shufang.web.opac.urls")),
    path("staff/", include("shufang.web.staff.urls")),
    path("events/", include("shufang.web.events.urls")),
    path("", include("shufang.web.account.urls")),
    path("", include("shufang.web.account.suggestion_urls")),
    path("bookshop/", include("shufang.web.bookshop.urls")),
]
