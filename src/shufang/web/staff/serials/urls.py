from django.urls import path

from shufang.web.staff.serials import forms_views, round_views, views

urlpatterns = [
    path("", views.home, name="serials-home"),
    path("subscriptions.xlsx", forms_views.subscriptions_xlsx, name="serials-xlsx"),
    path("subscriptions/add/", forms_views.subscription_add, name="serials-subscription-add"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="serials-subscription"),
    path(
        "subscriptions/<int:pk>/edit/",
        forms_views.subscription_edit,
        name="serials-subscription-edit",
    ),
    path(
        "subscriptions/<int:pk>/predict/",
        forms_views.subscription_predict,
        name="serials-subscription-predict",
    ),
    path("round/<int:line>.xlsx", views.round_xlsx, name="serials-round-xlsx"),
    path("round/<int:line>/", round_views.round_worksheet, name="serials-round"),
    path("round/<int:line>/open/", round_views.round_open, name="serials-round-open"),
    path("round/<int:line>/confirm/", round_views.round_confirm, name="serials-round-confirm"),
    path("binding/", round_views.binding, name="serials-binding"),
]
