"""`make editor` and `make superuser` (manage.py create_editor): accounts for the admin."""

import io
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission

from tests.guides_factories import guide_form_data, make_guide
from tests.servers import ROOT

CREDENTIALS = {
    "EDITOR_USERNAME": "ann",
    "EDITOR_EMAIL": "ann@example.com",
    "EDITOR_PASSWORD": "a long passphrase for ann",
}
NO_TERMINAL = io.StringIO()  # what a pipe, CI or an IDE's task runner gives: isatty() is False


@pytest.fixture
def credentials(monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return CREDENTIALS


def create_editor(*args):
    out = io.StringIO()
    call_command("create_editor", *args, stdin=NO_TERMINAL, stdout=out)
    return out.getvalue()


def test_an_editor_logs_in_to_the_admin_and_edits_a_guide(client, library, credentials):
    guide = make_guide(library["guides"], "Heartbeats through proxies")
    create_editor()

    client.post(
        "/admin/login/",
        {"username": credentials["EDITOR_USERNAME"], "password": credentials["EDITOR_PASSWORD"]},
    )
    assert client.get("/admin/").status_code == 200
    form = guide_form_data(title="Heartbeats through proxies, revised", slug=guide.slug)
    response = client.post(f"/admin/pages/{guide.pk}/edit/", form)

    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.latest_revision.user.username == "ann"
    assert guide.latest_revision.as_object().title == "Heartbeats through proxies, revised"


def test_an_editor_is_in_the_editors_group_and_not_a_superuser(library, credentials):
    output = create_editor()

    user = User.objects.get(username="ann")
    assert [group.name for group in user.groups.all()] == ["Editors"]
    assert not user.is_superuser
    assert "Created the editor 'ann'" in output


def test_the_editors_group_gets_back_the_admin_and_the_library_if_it_lost_them(
    library, credentials
):
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    editors.permissions.clear()
    GroupPagePermission.objects.filter(group=editors).delete()
    create_editor()

    user = User.objects.get(username="ann")
    assert user.has_perm("wagtailadmin.access_admin")
    permissions = library.index.permissions_for_user(user)
    assert permissions.can_add_subpage()
    assert permissions.can_edit()


def test_running_it_again_for_an_existing_account_says_so_and_changes_nothing(
    library, credentials, monkeypatch
):
    create_editor()
    monkeypatch.setenv("EDITOR_PASSWORD", "another passphrase altogether")
    output = create_editor()

    assert "An account named 'ann' exists already; left unchanged." in output
    assert User.objects.get(username="ann").check_password(CREDENTIALS["EDITOR_PASSWORD"])


def test_make_superuser_creates_a_superuser(library, credentials):
    output = create_editor("--superuser")

    assert User.objects.get(username="ann").is_superuser
    assert "Created the superuser 'ann'" in output


def test_a_weak_password_is_refused_with_the_reason(library, credentials, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "password")
    with pytest.raises(CommandError, match="EDITOR_PASSWORD: This password is too common"):
        create_editor()
    assert not User.objects.exists()


def test_without_a_terminal_or_the_variables_it_fails_naming_them(monkeypatch):
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    result = subprocess.run(
        [sys.executable, "manage.py", "create_editor"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "No terminal to ask on" in result.stderr
    for name in CREDENTIALS:
        assert name in result.stderr
