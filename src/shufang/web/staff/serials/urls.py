from django.urls import path

from shufang.web.staff.serials import views

urlpatterns = [
    path("", views.home, name="serials-home"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="serials-subscription"),
    path("round/<int:line>.xlsx", views.round_xlsx, name="serials-round-xlsx"),
]
