from django.contrib.auth import views as auth_views
from django.urls import include, path

from shufang.web.staff import circulation as desk
from shufang.web.staff import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/staff/login.html"),
        name="staff-login",
    ),
    path(
        "logout/", auth_views.LogoutView.as_view(next_page="web:staff-login"), name="staff-logout"
    ),
    path("", views.staff_home, name="staff-home"),
    path("readers/", views.reader_search, name="staff-readers"),
    path("readers/<int:pk>/", views.reader_detail, name="staff-reader"),
    path("records/<int:pk>/", views.record_detail, name="staff-record"),
    path("items/", views.item_search, name="staff-items"),
    path("items/<str:barcode>/", views.item_detail, name="staff-item"),
    path("service-points/", views.service_point_list, name="staff-service-points"),
    path("audit/", views.audit_log, name="staff-audit"),
    # the circulation desk (web/staff/circulation.py)
    path("circulation/", desk.lend, name="desk-lend"),
    path("circulation/point/", desk.choose_point, name="desk-point"),
    path("circulation/return/", desk.checkin, name="desk-return"),
    path("circulation/renew/", desk.renew, name="desk-renew"),
    path("circulation/fines/", desk.fines, name="desk-fines"),
    path("circulation/holds/", desk.holds, name="desk-holds"),
    path("circulation/hold-shelf/", desk.hold_shelf, name="desk-hold-shelf"),
    path("circulation/pick-list/", desk.pick_list_view, name="desk-pick-list"),
    path("circulation/transits/", desk.transits, name="desk-transits"),
    path("circulation/quarantine/", desk.quarantine, name="desk-quarantine"),
    path("circulation/closures/", desk.closures, name="desk-closures"),
    path("circulation/modes/", desk.modes, name="desk-modes"),
    path("circulation/deposits/", desk.deposits, name="desk-deposits"),
    path("circulation/deposits/<int:pk>/", desk.deposit_detail, name="desk-deposit"),
    path("programmes/", include("shufang.web.staff.programmes.urls")),
    path("outreach/", include("shufang.web.staff.outreach.urls")),
    path("operations/", include("shufang.web.staff.operations.urls")),
    path("acquisitions/", include("shufang.web.staff.acquisitions.urls")),
    path("serials/", include("shufang.web.staff.serials.urls")),
    path("statistics/", include("shufang.web.staff.statistics.urls")),
]
