"""`make editor` and `make superuser`: an account for the Wagtail admin.

Django's createsuperuser, which `make editor` used to run, prints "Superuser creation
skipped" and exits 0 when there is no terminal, and makes a superuser where the name
promises an editor. This command asks on a terminal, reads EDITOR_USERNAME,
EDITOR_EMAIL and EDITOR_PASSWORD from the environment without one, and fails naming
them when they are missing.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from guides.models import GuideIndexPage

VARIABLES = ("EDITOR_USERNAME", "EDITOR_EMAIL", "EDITOR_PASSWORD")
EDITORS = "Editors"  # Wagtail's first migrations make this group and "Moderators".
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")


class Command(BaseCommand):
    help = (
        "Create an account for the Wagtail admin: an editor (Wagtail's Editors group: "
        "writes and changes guides, submits them for moderation), or with --superuser an "
        "administrator. Asks on a terminal; without one, reads " + ", ".join(VARIABLES) + "."
    )

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--superuser", action="store_true", help="Create a superuser, who may do anything."
        )

    def handle(self, *args, superuser=False, **options):
        stdin = options.get("stdin", sys.stdin)
        given = {name: os.environ.get(name, "") for name in VARIABLES}
        missing = [name for name, value in given.items() if not value]
        if missing and not stdin.isatty():
            target = "superuser" if superuser else "editor"
            raise CommandError(
                f"No terminal to ask on: set {', '.join(missing)}, e.g. "
                f"EDITOR_PASSWORD='…' make {target} EDITOR_USERNAME=ann "
                "EDITOR_EMAIL=ann@example.com"
            )

        User = get_user_model()
        username = given["EDITOR_USERNAME"] or self.ask("Username")
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"An account named '{username}' exists already; left unchanged.")
            return
        email = given["EDITOR_EMAIL"] or self.ask("Email address")
        password = given["EDITOR_PASSWORD"] or self.ask_password()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"EDITOR_EMAIL: {' '.join(error.messages)}") from None
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as error:
            raise CommandError(f"EDITOR_PASSWORD: {' '.join(error.messages)}") from None

        with transaction.atomic():
            if superuser:
                User.objects.create_superuser(username, email, password)
                self.stdout.write(self.style.SUCCESS(f"Created the superuser '{username}'."))
                return
            user = User.objects.create_user(username, email, password)
            user.groups.add(editors_group())
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the editor '{username}' (group {EDITORS}): log in at /admin/."
            )
        )

    def ask(self, label):
        value = ""
        while not value:
            value = input(f"{label}: ").strip()
        return value

    def ask_password(self):
        while True:
            password = getpass.getpass("Password: ")
            if password and password == getpass.getpass("Password (again): "):
                return password
            self.stderr.write("The passwords were empty or did not match; again.")


def editors_group():
    """Wagtail's Editors group, sure to reach the admin and to add and change pages in the
    guide library (Wagtail grants both in its first migrations, on the root page; a site
    whose group lost them gets them back on the library)."""
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    library = GuideIndexPage.objects.first() or Page.get_first_root_node()
    granted = GroupPagePermission.objects.filter(
        group=group, page__in=library.get_ancestors(inclusive=True)
    )
    for codename in EDITOR_PAGE_PERMISSIONS:
        if not granted.filter(permission__codename=codename).exists():
            GroupPagePermission.objects.create(
                group=group,
                page=library,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return group
