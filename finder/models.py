from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from .rules import CANDIDATES


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProtocolQuerySet(models.QuerySet):
    def by_key(self):
        return {protocol.key: protocol for protocol in self}


class Protocol(models.Model):
    """How the finder describes one candidate. Editors own the words; rules.py the rules."""

    key = models.CharField(
        max_length=20,
        unique=True,
        choices=[(candidate.key, candidate.name) for candidate in CANDIDATES],
        help_text="The finder candidate this text describes.",
    )
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, help_text="One line: what it is.")
    strengths = models.TextField(help_text="One strength per line.")
    weaknesses = models.TextField(help_text="One weakness per line.")

    objects = ProtocolQuerySet.as_manager()

    panels = [
        FieldPanel("key"),
        FieldPanel("name"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("strengths"), FieldPanel("weaknesses")], heading="Trade-offs"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "finder protocol"

    def __str__(self):
        return self.name

    @property
    def strength_list(self):
        return lines(self.strengths)

    @property
    def weakness_list(self):
        return lines(self.weaknesses)
