from django.core.management.base import BaseCommand
from django.db import transaction

from finder.models import Protocol
from finder.protocols import STARTER_PROTOCOLS


class Command(BaseCommand):
    help = (
        "Create the protocol finder's protocol descriptions that don't exist yet. "
        "Idempotent: a description that exists is left exactly as editors made it."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = []
        for key, starter in STARTER_PROTOCOLS.items():
            _, was_created = Protocol.objects.get_or_create(
                key=key,
                defaults={
                    "name": starter["name"],
                    "description": starter["description"],
                    "strengths": "\n".join(starter["strengths"]),
                    "weaknesses": "\n".join(starter["weaknesses"]),
                },
            )
            if was_created:
                created.append(key)
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Created {len(created)} finder protocol descriptions.")
            )
        else:
            self.stdout.write("Finder protocol descriptions exist; left unchanged.")
