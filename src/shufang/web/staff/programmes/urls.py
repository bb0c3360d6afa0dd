from django.urls import path

from shufang.web.staff.operations import ledger_views as ledgers
from shufang.web.staff.programmes import views

APP = {"app": "programmes"}

urlpatterns = [
    path("", views.event_list, name="programmes-events"),
    path("export.xlsx", views.event_export, name="programmes-events-export"),
    path("new/", views.event_edit, name="programmes-event-new"),
    path("<int:pk>/", views.event_detail, name="programmes-event"),
    path("<int:pk>/edit/", views.event_edit, name="programmes-event-edit"),
    path("series/", views.series_list, name="programmes-series"),
    path("ledgers/", ledgers.ledger_index, APP, name="programmes-home"),
    path("ledgers/<slug:ledger>/", ledgers.ledger_list, APP, name="programmes-ledger"),
    path("ledgers/<slug:ledger>/new/", ledgers.ledger_edit, APP, name="programmes-ledger-new"),
    path(
        "ledgers/<slug:ledger>/<int:pk>/", ledgers.ledger_edit, APP, name="programmes-ledger-edit"
    ),
    path(
        "ledgers/<slug:ledger>/export.xlsx",
        ledgers.ledger_export,
        APP,
        name="programmes-ledger-export",
    ),
]
