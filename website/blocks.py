from django.core.validators import RegexValidator
from wagtail import blocks

site_path = RegexValidator(
    r"^/[^\s]*$", "Use a path on this site, starting with a slash, such as /guides/."
)


class CardBlock(blocks.StructBlock):
    """A titled teaser that links to one place on this site."""

    title = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock(max_length=240, help_text="One or two sentences.")
    link = blocks.CharBlock(
        max_length=200, validators=[site_path], help_text="A path on this site, such as /echo/."
    )
    link_label = blocks.CharBlock(
        max_length=60, help_text="Words on the link, e.g. “Open the tester”."
    )

    class Meta:
        icon = "link"
        template = "website/blocks/card.html"
        preview_value = {
            "title": "Echo tester",
            "text": "Send messages and see them echoed back instantly.",
            "link": "/echo/",
            "link_label": "Open the tester",
        }


class ModelDiagramBlock(blocks.StructBlock):
    """One communication model with its sequence diagram, for side-by-side comparison."""

    diagram = blocks.ChoiceBlock(
        choices=[
            ("http", "HTTP request/response"),
            ("sse", "Server-Sent Events"),
            ("websocket", "WebSocket"),
        ],
        help_text="Which built-in diagram to draw.",
    )
    title = blocks.CharBlock(max_length=60)
    summary = blocks.CharBlock(max_length=160, help_text="One line.")

    class Meta:
        icon = "code"
        template = "website/blocks/model_diagram.html"
        preview_value = {
            "diagram": "websocket",
            "title": "WebSocket",
            "summary": "Full-duplex and persistent.",
        }
