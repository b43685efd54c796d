from django.urls import path

from . import views

app_name = "lab"
urlpatterns = [
    path("", views.index, name="index"),
    path("frames/", views.frame_lab, name="frames"),
    path("frames/api/", views.frame_api, name="frames_api"),
]
