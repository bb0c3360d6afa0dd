from django.urls import path

from shufang.web.account.suggestions import account_suggestions

urlpatterns = [
    path("account/suggestions/", account_suggestions, name="account-suggestions"),
]
