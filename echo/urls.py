from django.urls import path

from . import views

app_name = "echo"
urlpatterns = [
    path("", views.tester, name="tester"),
    path("limits/", views.limits, name="limits"),
]
