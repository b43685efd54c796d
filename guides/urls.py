from django.urls import path

from . import views
from .feeds import RecentGuidesFeed

app_name = "guides"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("guides/feed.xml", RecentGuidesFeed(), name="feed"),
]
