from django.urls import path

from . import views

app_name = "finder"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("result/", views.result, name="result"),
    path("api/", views.api, name="api"),
    path("api/docs/", views.api_docs, name="api_docs"),
]
