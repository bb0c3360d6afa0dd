from django.urls import path

from shufang.web.staff.acquisitions import views

urlpatterns = [
    path("", views.home, name="acq-home"),
    path("suggestions/", views.suggestions, name="acq-suggestions"),
    path("suggestions.xlsx", views.suggestions_xlsx, name="acq-suggestions-xlsx"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="acq-suggestion"),
    path("suggest/", views.desk_suggest, name="acq-desk-suggest"),
    path("donations/<int:pk>/certificate/", views.donation_certificate, name="acq-certificate"),
    path(
        "donations/<int:pk>/certificate.docx",
        views.donation_certificate_docx,
        name="acq-certificate-docx",
    ),
]
