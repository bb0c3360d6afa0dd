from django.urls import path

from shufang.web.staff.operations import ledger_views as ledgers
from shufang.web.staff.operations import views

APP = {"app": "operations"}

urlpatterns = [
    path("", ledgers.ledger_index, APP, name="operations-home"),
    path("wechat-import/", views.wechat_import, name="operations-wechat-import"),
    path("<slug:ledger>/", ledgers.ledger_list, APP, name="operations-ledger"),
    path("<slug:ledger>/new/", ledgers.ledger_edit, APP, name="operations-ledger-new"),
    path("<slug:ledger>/<int:pk>/", ledgers.ledger_edit, APP, name="operations-ledger-edit"),
    path("<slug:ledger>/export.xlsx", ledgers.ledger_export, APP, name="operations-ledger-export"),
]
