"""Admin for the guide library: authors and tags are snippets editors manage."""

from django.templatetags.static import static
from django.utils.html import format_html
from taggit.models import Tag
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Author


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "key", "url"]
    search_fields = ["name", "bio"]


class TagViewSet(SnippetViewSet):
    """Rename, merge by renaming, or delete the tags guides use."""

    model = Tag
    icon = "tag"
    menu_label = "Tags"
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "slug"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("slug")]


register_snippet(AuthorViewSet)
register_snippet(TagViewSet)


@hooks.register("insert_editor_css")
def code_block_editor_css():
    return format_html('<link rel="stylesheet" href="{}">', static("guides/admin.css"))
