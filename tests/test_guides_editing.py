"""Editing guides in the Wagtail admin: publishing a new guide and previewing one."""

import threading
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.db import OperationalError, connection, transaction
from wagtail.admin.forms.pages import WagtailAdminPageForm

from guides.models import GuidePage
from tests.guides_factories import guide_form_data, heading, make_guide


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


# Publishing a new guide. The editor's form posts to the create URL until the first
# autosave answers and the page switches it to the edit URL: Publish pressed meanwhile,
# or twice on a slow server, posts the create form a second time.


def create_url(section):
    return f"/admin/pages/add/guides/guidepage/{section.pk}/"


def autosave(client, section, form):
    """What the editor's browser sends in the background: the form, asking for JSON."""
    response = client.post(create_url(section), form, HTTP_ACCEPT="application/json")
    assert response.json()["success"], response.json()
    return GuidePage.objects.get(pk=response.json()["pk"])


def lands_first(page_from_another_request):
    """Save another request's page under the same parent after this request's form was
    checked and before this request saves its own: the interleaving of two posts in
    flight at once, made deterministic."""
    real_is_valid = WagtailAdminPageForm.is_valid
    pages = [page_from_another_request]

    def is_valid(form):
        valid = real_is_valid(form)
        if pages:
            form.parent_page.add_child(instance=pages.pop())
        return valid

    return mock.patch.object(WagtailAdminPageForm, "is_valid", autospec=True, side_effect=is_valid)


def publish_while_a_draft_lands(client, section, owner):
    """Post the new guide form with Publish while `owner`'s draft at the same address is
    saved between this post's validation and its save."""
    form = guide_form_data()
    draft = GuidePage(
        title=form["title"],
        slug=form["slug"],
        summary=form["summary"],
        body=[heading("A first autosaved heading")],
        live=False,
        owner=owner,
    )
    with lands_first(draft):
        return client.post(create_url(section), {**form, "action-publish": "1"})


def messages(response):
    """The messages the next page shows, as text."""
    return [
        BeautifulSoup(str(message), "html.parser").get_text(" ", strip=True)
        for message in get_messages(response.wsgi_request)
    ]


def test_publishing_after_the_autosave_created_the_guide_publishes_that_guide(
    client, library, moderator
):
    section = library["guides"]
    client.force_login(moderator)
    form = guide_form_data()
    autosaved = autosave(client, section, form)

    response = client.post(create_url(section), {**form, "action-publish": "1"})

    assert response.status_code == 302
    assert messages(response)[0].startswith("Page 'Heartbeats through proxies' has been published.")
    assert list(GuidePage.objects.filter(slug=form["slug"])) == [autosaved]
    autosaved.refresh_from_db()
    assert autosaved.live


def test_publishing_while_the_autosave_creates_the_guide_publishes_that_guide(
    client, library, moderator
):
    client.force_login(moderator)
    response = publish_while_a_draft_lands(client, library["guides"], owner=moderator)

    assert response.status_code == 302
    assert messages(response)[0].startswith("Page 'Heartbeats through proxies' has been published.")
    guide = GuidePage.objects.get(slug="heartbeats-through-proxies")
    assert guide.live
    assert [block.block_type for block in guide.body] == ["heading", "text", "code", "callout"]


def test_a_guide_whose_address_another_editor_took_meanwhile_is_refused_beside_the_slug(
    client, library, moderator
):
    other = User.objects.create_user("ed", "ed@example.com", "pw")
    client.force_login(moderator)
    response = publish_while_a_draft_lands(client, library["guides"], owner=other)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    slug_field = page.select_one("[data-contentpath='slug']")
    assert "is already in use" in slug_field.get_text()
    assert GuidePage.objects.get(slug="heartbeats-through-proxies").owner == other


def test_a_refused_new_guide_leaves_the_section_whole(client, library, moderator):
    section = library["guides"]
    other = User.objects.create_user("ed", "ed@example.com", "pw")
    client.force_login(moderator)
    publish_while_a_draft_lands(client, section, owner=other)

    section.refresh_from_db()
    assert section.numchild == section.get_children().count() == 1


def test_the_guide_editor_has_content_details_and_promote_tabs_and_schedules_from_status(
    client, library, moderator
):
    guide = make_guide(library["guides"], "Heartbeats through proxies")
    client.force_login(moderator)
    page = BeautifulSoup(client.get(f"/admin/pages/{guide.pk}/edit/").content, "html.parser")

    tabs = [tab.find(string=True).strip() for tab in page.select("[role=tab]")]
    assert tabs == ["Content", "Details", "Promote"]
    status_panel = page.select_one("[data-side-panel='status']")
    assert status_panel.select_one("[data-a11y-dialog-show='schedule-publishing-dialog']")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_sqlite_a_publish_waits_for_an_autosave_being_saved_instead_of_failing():
    """The autosave has written and not committed; the publish, which has read, writes.
    In SQLite's default deferred transactions the publish failed at once with "database
    is locked", which the site answers with its 503 page."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's locking only")
    autosave_wrote, publish_read = threading.Event(), threading.Event()
    errors = []

    def autosave():
        try:
            with transaction.atomic():
                Group.objects.create(name="autosaved")
                autosave_wrote.set()
                # Deferred: the publish reads meanwhile. Immediate: it waits to begin.
                publish_read.wait(timeout=2)
        finally:
            connection.close()

    def publish():
        autosave_wrote.wait(timeout=30)
        try:
            with transaction.atomic():
                Group.objects.count()
                publish_read.set()
                Group.objects.create(name="published")
        except OperationalError as error:
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=autosave), threading.Thread(target=publish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Group.objects.filter(name__in=["autosaved", "published"]).count() == 2


def test_saving_a_code_sample_in_the_admin_keeps_the_indentation_of_its_first_line():
    from guides.blocks import CodeBlock

    diagram = "    client ──► server\n      101\n"
    assert CodeBlock().child_blocks["code"].field.clean(diagram) == diagram


def test_saving_a_diagram_in_the_admin_keeps_its_leading_and_trailing_spaces():
    from guides.blocks import DiagramBlock

    drawing = "   ┌─────┐\n   │ app │   \n   └─────┘  "
    assert DiagramBlock().child_blocks["text"].field.clean(drawing) == drawing
