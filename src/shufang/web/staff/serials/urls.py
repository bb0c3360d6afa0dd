from django.urls import path

from shufang.web.staff.serials import forms_views, views

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
]
