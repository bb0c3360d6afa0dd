from django.urls import path

from shufang.web.events import views

urlpatterns = [
    path("", views.event_list, name="events"),
    path("calendar.ics", views.calendar_feed, name="events-calendar"),
    path("<int:pk>/", views.event_detail, name="event"),
]
