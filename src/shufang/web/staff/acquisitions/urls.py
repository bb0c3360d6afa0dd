from django.urls import path

from shufang.web.staff.acquisitions import budgets, donations, orders, terminals, views

urlpatterns = [
    path("", views.home, name="acq-home"),
    # suggestions
    path("suggestions/", views.suggestions, name="acq-suggestions"),
    path("suggestions.xlsx", views.suggestions_xlsx, name="acq-suggestions-xlsx"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="acq-suggestion"),
    path("suggest/", views.desk_suggest, name="acq-desk-suggest"),
    path("rules/", budgets.rules, name="acq-rules"),
    path("rules/<int:library>/", budgets.rule_edit, name="acq-rule-edit"),
    # vendors, funds and budget lines
    path("vendors/", budgets.vendors, name="acq-vendors"),
    path("vendors/add/", budgets.vendor_add, name="acq-vendor-add"),
    path("vendors/<int:pk>/", budgets.vendor_edit, name="acq-vendor-edit"),
    path("budgets/", budgets.budgets, name="acq-budgets"),
    path("budgets.xlsx", budgets.budgets_xlsx, name="acq-budgets-xlsx"),
    path("funds/add/", budgets.fund_add, name="acq-fund-add"),
    path("funds/<int:pk>/", budgets.fund_edit, name="acq-fund-edit"),
    path("funds/<int:fund>/lines/add/", budgets.line_add, name="acq-line-add"),
    path("lines/<int:pk>/", budgets.line_edit, name="acq-line-edit"),
    # orders, receiving, claims, invoices
    path("orders/", orders.orders, name="acq-orders"),
    path("orders.xlsx", orders.orders_xlsx, name="acq-orders-xlsx"),
    path("orders/add/", orders.order_add, name="acq-order-add"),
    path("orders/<int:pk>/", orders.order_detail, name="acq-order"),
    path("claims/", orders.claims, name="acq-claims"),
    path("invoices/", orders.invoices, name="acq-invoices"),
    path("invoices/add/", orders.invoice_add, name="acq-invoice-add"),
    path("invoices/<int:pk>/", orders.invoice_detail, name="acq-invoice"),
    path("invoices/<int:pk>/reconcile/", orders.invoice_reconcile, name="acq-reconcile"),
    # donations and local documents
    path("donations/", donations.donations, name="acq-donations"),
    path("donations.xlsx", donations.donations_xlsx, name="acq-donations-xlsx"),
    path("donations/add/", donations.donation_add, name="acq-donation-add"),
    path("donors/add/", donations.donor_add, name="acq-donor-add"),
    path("donors/<int:pk>/", donations.donor_edit, name="acq-donor-edit"),
    path("donations/<int:pk>/", donations.donation_detail, name="acq-donation"),
    path("donations/<int:pk>/certificate/", views.donation_certificate, name="acq-certificate"),
    path(
        "donations/<int:pk>/certificate.docx",
        views.donation_certificate_docx,
        name="acq-certificate-docx",
    ),
    path("local-documents/", donations.local_documents, name="acq-local-documents"),
    path(
        "local-documents/add/",
        donations.local_document_add_view,
        name="acq-local-document-add",
    ),
    path(
        "local-documents/<int:pk>/",
        donations.local_document_edit,
        name="acq-local-document-edit",
    ),
    # in-bookshop lending
    path("terminals/", terminals.terminals, name="acq-terminals"),
    path("terminals/add/", terminals.terminal_add, name="acq-terminal-add"),
    path("terminals/<int:pk>/", terminals.terminal_edit, name="acq-terminal-edit"),
]
