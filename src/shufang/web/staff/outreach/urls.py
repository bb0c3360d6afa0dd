from django.urls import path

from shufang.web.staff.operations import ledger_views as ledgers
from shufang.web.staff.outreach import views

APP = {"app": "outreach"}

urlpatterns = [
    path("", ledgers.ledger_index, APP, name="outreach-home"),
    path("points/", views.point_list, name="outreach-points"),
    path("<slug:ledger>/", ledgers.ledger_list, APP, name="outreach-ledger"),
    path("<slug:ledger>/new/", ledgers.ledger_edit, APP, name="outreach-ledger-new"),
    path("<slug:ledger>/<int:pk>/", ledgers.ledger_edit, APP, name="outreach-ledger-edit"),
    path("<slug:ledger>/export.xlsx", ledgers.ledger_export, APP, name="outreach-ledger-export"),
]
