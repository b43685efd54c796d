from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Protocol


class ProtocolViewSet(SnippetViewSet):
    model = Protocol
    icon = "list-ul"
    menu_label = "Finder protocols"
    list_display = ["name", "key", "description"]
    search_fields = ["name", "description"]


register_snippet(ProtocolViewSet)
