from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from guides.front_matter import ContentError
from guides.loader import CONTENT_DIR, GuideLoader


def default_site_root():
    """Where a new library goes: the root page of the default site (the home page)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page.specific if site else None


class Command(BaseCommand):
    help = (
        "Import the Markdown guides in guides/content/ as Wagtail pages (creating the "
        "library and its sections if missing). Idempotent: unchanged files change nothing, "
        "and a guide an editor has changed in the admin is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--content",
            type=Path,
            default=CONTENT_DIR,
            help="Folder with one sub-folder per section (default: guides/content/).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail (exit status 1) when a file cannot be imported, instead of skipping it.",
        )

    def handle(self, *args, content, strict, verbosity, **options):
        try:
            report = GuideLoader(content, parent=default_site_root()).run()
        except ContentError as error:
            raise CommandError(str(error)) from None

        for note in report.notes:
            self.stdout.write(note)
        for slug in report.created:
            self.stdout.write(self.style.SUCCESS(f"Created {slug}"))
        for slug in report.updated:
            self.stdout.write(self.style.SUCCESS(f"Updated {slug}"))
        if verbosity > 1:
            for slug in report.unchanged:
                self.stdout.write(f"Unchanged {slug}")
        for slug, reason in report.left_alone:
            self.stdout.write(self.style.WARNING(f"Left alone {slug}: {reason}"))
        if verbosity > 0:
            for slug, message in report.warnings:
                self.stderr.write(f"Warning in {slug}: {message}")
        for name, message in report.errors:
            self.stderr.write(self.style.ERROR(f"Skipped {name}: {message}"))

        self.stdout.write(
            f"Guides: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.left_alone)} left alone, "
            f"{len(report.errors)} skipped."
        )
        if strict and report.errors:
            raise CommandError(f"{len(report.errors)} file(s) could not be imported.")
