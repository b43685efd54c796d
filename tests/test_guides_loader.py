"""load_guides: Markdown files in, pages out; idempotent, and editors' work is never lost."""

import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from wagtail.models import Revision

from guides.models import Author, GuideIndexPage, GuidePage, GuideSectionPage

CONTENT = Path(__file__).resolve().parent.parent / "guides" / "content"


def write_guide(root, section, slug, title, body="Some text.\n", tags="[framing]", **front):
    fields = {
        "title": title,
        "summary": f"What {title.lower()} is about.",
        "tags": tags,
        "difficulty": "beginner",
        "authors": "[editors]",
        "reviewed": "2026-11-28",
        **front,
    }
    text = "---\n" + "".join(f"{key}: {value}\n" for key, value in fields.items()) + "---\n\n"
    path = root / section / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + body)
    return path


@pytest.fixture
def content(tmp_path, db):
    call_command("setup_site", stdout=io.StringIO())
    (tmp_path / "authors.yaml").write_text(
        "editors:\n  name: The editors\n  bio: Engineers who run real-time systems.\n"
    )
    write_guide(
        tmp_path,
        "internals",
        "frames",
        "Frames bit by bit",
        body=(
            "## Opcodes\n\nSee [[handshake]].\n\n```python\nx = 1\n```\n\nRelated: [[handshake]]\n"
        ),
    )
    write_guide(tmp_path, "internals", "handshake", "The opening handshake")
    return tmp_path


def load(content_dir, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_guides", *args, content=content_dir, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def guide(slug):
    return GuidePage.objects.get(slug=slug)


def test_the_loader_builds_the_library_its_sections_and_the_guides(content):
    output, _ = load(content)
    index = GuideIndexPage.objects.get()
    assert index.url == "/guides/" and index.live
    sections = GuideSectionPage.objects.child_of(index).live()
    assert [s.slug for s in sections] == [
        "internals",
        "guides",
        "comparisons",
        "use-cases",
        "frameworks",
        "troubleshooting",
        "reference",
        "deployment",
    ]
    frames = guide("frames")
    assert frames.live and frames.url == "/guides/internals/frames/"
    assert frames.summary == "What frames bit by bit is about."
    assert [tag.name for tag in frames.tags.all()] == ["framing"]
    assert [author.name for author in frames.authors.all()] == ["The editors"]
    assert [block.block_type for block in frames.body] == ["heading", "text", "code", "related"]
    assert "Guides: 2 created, 0 updated, 0 unchanged, 0 left alone, 0 skipped." in output


def test_links_between_guides_become_wagtail_page_links(content):
    load(content)
    frames, handshake = guide("frames"), guide("handshake")
    link = BeautifulSoup(frames.body.raw_data[1]["value"], "html.parser").a
    assert link.attrs == {"linktype": "page", "id": str(handshake.pk)}
    assert link.get_text() == "The opening handshake"
    assert [item.pk for item in frames.body[3].value["guides"]] == [handshake.pk]


def test_each_guide_gets_one_published_revision(content):
    load(content)
    assert Revision.page_revisions.filter(object_id=str(guide("frames").pk)).count() == 1


def test_running_the_loader_again_changes_nothing(content):
    load(content)
    revisions = Revision.objects.count()
    output, _ = load(content)
    assert Revision.objects.count() == revisions
    assert "Guides: 0 created, 0 updated, 2 unchanged, 0 left alone, 0 skipped." in output


def test_a_changed_file_updates_a_guide_nobody_has_edited(content):
    load(content)
    write_guide(content, "internals", "handshake", "The opening handshake, revised")
    output, _ = load(content)
    assert guide("handshake").title == "The opening handshake, revised"
    assert "Updated handshake" in output
    # The other guide links to it by title, so it follows too.
    assert "The opening handshake, revised" in guide("frames").body.raw_data[1]["value"]


def test_a_guide_changed_by_an_editor_is_left_alone_and_the_command_says_so(content):
    load(content)
    page = guide("handshake")
    page.title = "Edited in the admin"
    page.save_revision()  # A draft is work too.
    write_guide(content, "internals", "handshake", "Changed in the file")
    output, _ = load(content)
    page = guide("handshake")
    assert page.title == "The opening handshake"  # still the live version
    assert page.get_latest_revision_as_object().title == "Edited in the admin"
    assert "Left alone handshake: changed in the admin since it was imported" in output


def test_a_guide_an_editor_unpublished_stays_unpublished(content):
    load(content)
    guide("handshake").unpublish()
    write_guide(content, "internals", "handshake", "Changed in the file")
    output, _ = load(content)
    assert not guide("handshake").live
    assert "Left alone handshake: unpublished in the admin" in output


def test_a_guide_an_editor_deleted_is_not_recreated(content):
    load(content)
    guide("handshake").delete()
    output, _ = load(content)
    assert not GuidePage.objects.filter(slug="handshake").exists()
    assert "Left alone handshake: deleted in the admin; not recreated" in output


def test_a_page_the_loader_did_not_create_is_never_taken_over(content):
    load(content)
    write_guide(content, "guides", "hand-made", "From a file")
    section = GuideSectionPage.objects.get(slug="guides")
    section.add_child(instance=GuidePage(title="Hand made", slug="hand-made", summary="x", body=[]))
    output, _ = load(content)
    assert guide("hand-made").title == "Hand made"
    assert "Left alone hand-made: a page with this slug exists" in output


def test_a_new_file_adds_a_guide_on_a_later_run(content):
    load(content)
    write_guide(content, "comparisons", "vs-sse", "WebSocket vs SSE", body="See [[frames]].\n")
    output, _ = load(content)
    assert guide("vs-sse").url == "/guides/comparisons/vs-sse/"
    assert "Guides: 1 created, 0 updated, 2 unchanged" in output


def test_a_file_moved_to_another_section_moves_its_guide(content):
    load(content)
    (content / "internals" / "handshake.md").rename(content / "guides.md")
    write_guide(content, "guides", "handshake", "The opening handshake")
    (content / "guides.md").unlink()
    load(content)
    assert guide("handshake").url == "/guides/guides/handshake/"


def test_a_broken_file_is_skipped_by_name_and_the_others_load(content):
    (content / "guides" / "broken.md").parent.mkdir(exist_ok=True)
    (content / "guides" / "broken.md").write_text("no front matter\n")
    output, errors = load(content)
    assert "Skipped guides/broken.md: the file must start with front matter" in errors
    assert "2 created" in output and "1 skipped" in output


def test_strict_mode_fails_when_a_file_cannot_be_imported(content):
    (content / "guides" / "broken.md").parent.mkdir(exist_ok=True)
    (content / "guides" / "broken.md").write_text("---\ntitle: x\n---\nBody\n")
    with pytest.raises(CommandError, match="1 file"):
        load(content, "--strict")


def test_a_reference_to_a_missing_guide_is_reported_and_shown_as_words(content):
    write_guide(content, "guides", "scaling", "Scaling", body="Read [[load-balancing]].\n")
    _, errors = load(content)
    assert "Warning in scaling: [[load-balancing]] matches no guide" in errors
    assert guide("scaling").body.raw_data[0]["value"] == "<p>Read load balancing.</p>"


def test_authors_come_from_authors_yaml_and_an_editors_change_is_kept(content):
    load(content)
    author = Author.objects.get(key="editors")
    assert author.bio == "Engineers who run real-time systems."
    author.bio = "Written in the admin."
    author.save()
    (content / "authors.yaml").write_text("editors:\n  name: The editors\n  bio: New bio.\n")
    output, _ = load(content)
    assert Author.objects.get(key="editors").bio == "Written in the admin."
    assert "Author The editors was changed in the admin; left alone." in output


def test_an_author_nobody_edited_follows_authors_yaml(content):
    load(content)
    (content / "authors.yaml").write_text("editors:\n  name: The editors\n  bio: New bio.\n")
    load(content)
    assert Author.objects.get(key="editors").bio == "New bio."


def test_a_tag_changed_in_a_file_is_applied_on_the_next_run(content):
    load(content)
    write_guide(
        content, "internals", "handshake", "The opening handshake", tags="[handshake, http]"
    )
    load(content)
    assert sorted(tag.name for tag in guide("handshake").tags.all()) == ["handshake", "http"]


def test_a_tag_no_guide_uses_any_more_is_no_longer_offered_as_a_filter(content, client):
    load(content)
    for slug, title in [("frames", "Frames bit by bit"), ("handshake", "The opening handshake")]:
        write_guide(content, "internals", slug, title, tags="[handshake]")
    load(content)
    tags = [a.get_text() for a in BeautifulSoup(client.get("/guides/").content, "html.parser")
            .select(".filter-tags a")]  # fmt: skip
    assert tags == ["Any tag", "handshake (2)"]


def test_a_tag_outside_the_vocabulary_is_left_out_and_reported(content):
    (content / "tags.yaml").write_text("framing: Frames.\nhandshake: The HTTP upgrade.\n")
    write_guide(
        content, "internals", "handshake", "The opening handshake", tags="[handshake, Pigeons]"
    )
    _, errors = load(content)
    assert [tag.name for tag in guide("handshake").tags.all()] == ["handshake"]
    assert "Warning in handshake: the tag “pigeons” is not in tags.yaml; left out" in errors


def test_without_a_home_page_the_loader_asks_for_the_site_to_be_set_up_first(tmp_path, db):
    with pytest.raises(CommandError, match=r"run `manage\.py setup_site` first"):
        load(tmp_path)
    assert not GuideIndexPage.objects.exists()


def test_every_guide_in_the_repository_imports(db):
    call_command("setup_site", stdout=io.StringIO())
    files = sorted(CONTENT.glob("*/*.md"))
    output, errors = load(CONTENT)
    assert f"Guides: {len(files)} created" in output
    assert "Skipped" not in errors
    assert GuidePage.objects.live().count() == len(files)
