from django.urls import path

from shufang.web.account import views

urlpatterns = [
    path("account/login/", views.account_login, name="account-login"),
    path("account/logout/", views.account_logout, name="account-logout"),
    path("account/", views.account_home, name="account"),
    path("account/loans/<int:pk>/renew/", views.account_loan_renew, name="account-loan-renew"),
    path("account/holds/<int:pk>/cancel/", views.account_hold_cancel, name="account-hold-cancel"),
    path("account/holds/<int:pk>/pickup/", views.account_hold_pickup, name="account-hold-pickup"),
    path("account/history/", views.account_history, name="account-history"),
    path("account/fines/", views.account_fines, name="account-fines"),
    path("account/profile/", views.account_profile, name="account-profile"),
    path("account/data/", views.account_data, name="account-data"),
    path("account/data.json", views.account_data_json, name="account-data-json"),
]
