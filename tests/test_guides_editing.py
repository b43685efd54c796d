"""Editing guides in the Wagtail admin: publishing a new guide and previewing one."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User

from tests.guides_factories import guide_form_data, make_guide, make_library


@pytest.fixture
def library(db):
    return make_library()


@pytest.fixture
def moderator(db):
    """An editor who may publish: a user in Wagtail's Moderators group."""
    user = User.objects.create_user("mo", "mo@example.com", "pw")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_the_preview_does_not_show_the_edit_this_guide_button(client, library, moderator):
    guide = make_guide(library["guides"], "Heartbeats through proxies")
    client.force_login(moderator)
    preview_url = f"/admin/pages/{guide.pk}/edit/preview/"
    client.post(preview_url, guide_form_data(slug=guide.slug))

    preview = client.get(preview_url)

    assert preview.status_code == 200
    page = BeautifulSoup(preview.content, "html.parser")
    assert page.h1.get_text() == "Heartbeats through proxies"
    assert page.select_one(".guide__edit") is None
