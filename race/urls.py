from django.urls import path

from . import views

app_name = "race"
urlpatterns = [
    path("", views.page, name="page"),
    path("new", views.create, name="create"),
    path("clock", views.clock, name="clock"),
    path("<slug:race_id>/poll", views.poll, name="poll"),
    path("<slug:race_id>/long-poll", views.long_poll, name="long_poll"),
    path("<slug:race_id>/events", views.events, name="events"),
]
