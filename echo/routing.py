from django.urls import path, re_path

from . import consumers

websocket_urlpatterns = [
    path("ws/echo/", consumers.EchoConsumer.as_asgi()),
    path("ws/inspect/", consumers.InspectConsumer.as_asgi()),
    # Any name reaches the consumer, which refuses invalid ones with a reason.
    re_path(r"^ws/room/(?P<name>[^/]*)/$", consumers.RoomConsumer.as_asgi()),
    # Last: any other path is refused cleanly rather than raising "No route found".
    re_path(r"", consumers.no_route),
]
