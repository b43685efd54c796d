"""Guide pages: the reading experience, page rules, validation and the query budget."""

import itertools
from datetime import UTC, datetime
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from wagtail.blocks import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.models import PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase

from guides.blocks import CodeBlock, FigureBlock
from guides.models import GuideIndexPage, GuidePage, GuideSectionPage
from tests.guides_factories import (
    callout,
    code,
    code_tabs,
    diagram,
    guide_form_data,
    heading,
    make_author,
    make_guide,
    make_library,
    page_link,
    paragraph,
    quote,
    related,
    table,
)
from website.models import HomePage

# Wagtail's routing, the site, view restrictions, settings and our own lookups: a
# guide page must stay within this whatever its length, tags or neighbours.
GUIDE_PAGE_QUERY_BUDGET = 10


@pytest.fixture
def library(db):
    return make_library()


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def rich_guide(library, **kwargs):
    other = make_guide(library["guides"], "Reconnection with backoff", tags=["reliability"])
    author = make_author()
    body = [
        paragraph(f"<p>Read {page_link(other, 'the reconnection guide')} first.</p>"),
        heading("The upgrade request"),
        code("GET /chat HTTP/1.1\nUpgrade: websocket", language="http", check="none"),
        heading("Computing the accept key", level="h3"),
        code("import base64\nimport hashlib\nkey = 1", filename="accept.py", highlight="2"),
        callout("<p>Never reuse a key.</p>", kind="warning"),
        table(["Code", "Meaning"], [["101", "Switching"], ["426", "Upgrade required"]]),
        quote("<p>Keep it simple.</p>", attribution="An engineer"),
        code_tabs(
            ("JavaScript", "javascript", "new WebSocket(url)"),
            ("Python", "python", "connect(url)"),
        ),
        heading("Closing"),
        related(other),
    ]
    defaults = {"tags": ["handshake", "reliability"], "authors": [author], "body": body}
    return make_guide(library["internals"], "The opening handshake", **{**defaults, **kwargs})


class GuidePageRulesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.library = make_library()
        cls.guide = make_guide(cls.library["internals"], body=[heading("Start"), code("x = 1")])

    def test_the_library_lives_under_the_home_page_and_holds_sections(self):
        self.assertAllowedParentPageTypes(GuideIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(GuideIndexPage, {GuideSectionPage})

    def test_guides_live_in_sections_and_have_no_children(self):
        self.assertAllowedParentPageTypes(GuidePage, {GuideSectionPage})
        self.assertAllowedSubpageTypes(GuidePage, set())

    def test_a_guide_renders_previews_and_opens_in_the_editor(self):
        self.assertPageIsRenderable(self.guide)
        form = guide_form_data(slug=self.guide.slug)
        self.assertPageIsPreviewable(self.guide, post_data=form)
        self.assertPageIsEditable(self.guide, post_data=form)

    def test_a_moderator_can_create_and_publish_a_guide_with_several_block_types(self):
        moderator = User.objects.create_user("mo", "mo@example.com", "pw", is_staff=False)
        moderator.groups.add(Group.objects.get(name="Moderators"))
        self.client.force_login(moderator)
        section = self.library["guides"]
        self.assertCanCreate(section, GuidePage, guide_form_data())
        guide = GuidePage.objects.get(slug="heartbeats-through-proxies")
        self.assertEqual(
            [block.block_type for block in guide.body], ["heading", "text", "code", "callout"]
        )
        self.assertEqual(guide.body[0].value["anchor"], "why-proxies-drop-idle-sockets")
        self.assertEqual(sorted(tag.name for tag in guide.tags.all()), ["heartbeats", "proxies"])
        self.assertTrue(guide.live)

    def test_sections_and_the_library_render(self):
        self.assertPageIsRenderable(self.library.index)
        self.assertPageIsRenderable(self.library["internals"])


def test_a_guide_shows_title_summary_facts_authors_and_tags(client, library):
    guide = rich_guide(library)
    page = soup(client.get(guide.url))
    assert page.h1.get_text() == "The opening handshake"
    assert page.select_one(".guide__summary").get_text() == guide.summary
    facts = page.select_one(".guide__facts").get_text(" ", strip=True)
    assert "Beginner" in facts and "1 min" in facts and "1 November 2026" in facts
    assert "Ada Example" in page.select_one(".guide__authors").get_text()
    assert [a.get_text() for a in page.select(".guide__header .tag")] == [
        "handshake",
        "reliability",
    ]


def test_breadcrumbs_lead_from_home_through_the_section(client, library):
    guide = rich_guide(library)
    crumbs = soup(client.get(guide.url)).select(".breadcrumbs a")
    assert [a["href"] for a in crumbs] == ["/", "/guides/", "/guides/internals/"]


def test_headings_get_stable_anchors_and_build_a_nested_table_of_contents(client, library):
    guide = rich_guide(library)
    page = soup(client.get(guide.url))
    assert page.find("h2", id="the-upgrade-request").get_text() == "The upgrade request"
    assert page.find("h3", id="computing-the-accept-key")
    toc = page.select_one("nav.toc > ol")
    assert [a["href"] for a in toc.select(":scope > li > a")] == [
        "#the-upgrade-request",
        "#closing",
    ]
    assert toc.select_one("li ol a")["href"] == "#computing-the-accept-key"


def test_anchors_are_saved_with_the_page_so_editing_the_heading_keeps_them(library):
    guide = rich_guide(library)
    stored = GuidePage.objects.get(pk=guide.pk).body.raw_data[1]["value"]
    assert stored["anchor"] == "the-upgrade-request"


def test_headings_appear_in_order_h1_then_h2_then_h3(client, library):
    guide = rich_guide(library)
    levels = [int(h.name[1]) for h in soup(client.get(guide.url)).find_all(["h1", "h2", "h3"])]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_code_is_highlighted_with_filename_and_marked_lines(client, library):
    guide = rich_guide(library)
    figure = soup(client.get(guide.url)).find("span", string="accept.py").find_parent("figure")
    assert figure.select_one("pre code .kn").get_text() == "import"
    assert figure.select_one(".hll").get_text().startswith("import hashlib")


def test_code_is_highlighted_when_saved_so_a_view_never_runs_pygments(client, library):
    guide = rich_guide(library)
    assert len(guide.highlighted_code) == 4
    with mock.patch("guides.blocks.highlight", side_effect=AssertionError("highlighted in a view")):
        response = client.get(guide.url)
    assert b'<span class="kn">import</span>' in response.content


def test_scrollable_code_and_tables_can_be_reached_by_keyboard_and_are_labelled(client, library):
    page = soup(client.get(rich_guide(library).url))
    for region in page.select("pre.code__pre, .table-scroll"):
        assert region["tabindex"] == "0"
        assert region["aria-label"]


def test_unchecked_samples_say_so_and_checked_ones_do_not(client, library):
    page = soup(client.get(rich_guide(library).url))
    unchecked = [f.select_one(".code__unchecked") is not None for f in page.select("figure.code")]
    assert unchecked == [True, False, False, False]
    assert "not checked by our test suite" in page.select_one(".code__unchecked").get_text()


def test_a_diagram_is_shown_verbatim_with_its_caption_and_no_sample_label(client, library):
    drawing = "client          server\n  |-- <script> -->|\n  |<-- 101 -------|"
    guide = make_guide(library["internals"], "Drawn", body=[diagram(drawing, "A handshake")])
    page = soup(client.get(guide.url))
    figure = page.select_one("figure.text-diagram")
    assert figure.select_one("pre").get_text() == drawing
    assert figure.select_one("figcaption").get_text() == "A handshake"
    assert "not checked" not in figure.get_text()
    assert not page.select("figure.code")


def test_a_diagram_wider_than_the_column_is_drawn_for_its_width(client, library):
    body = [diagram("narrow"), diagram("─" * 103)]
    guide = make_guide(library["internals"], "Wide", body=body)
    figures = soup(client.get(guide.url)).select("figure.text-diagram")
    assert [figure["class"] for figure in figures] == [
        ["text-diagram"],
        ["text-diagram", "text-diagram--cols-110"],
    ]


def test_a_proxy_configuration_says_which_proxy_the_test_suite_runs_it_in(client, library):
    body = [
        code("location /ws/ {}", language="nginx", filename="websocket.conf", check="nginx"),
        code("defaults\n    timeout tunnel 1h", language="text", check="haproxy"),
        code("example.com {\n\treverse_proxy app:8000\n}", language="caddyfile", check="caddy"),
    ]
    guide = make_guide(library["internals"], "Proxies", body=body)
    page = soup(client.get(guide.url))
    notes = [f.select_one(".code__tested").get_text() for f in page.select("figure.code")]
    assert notes == [
        "run in our test suite against nginx 1.22",
        "run in our test suite against HAProxy 2.6",
        "run in our test suite against Caddy 2.6",
    ]
    assert page.select(".code__unchecked") == []


def test_tabbed_code_renders_every_language_labelled_for_use_without_javascript(client, library):
    group = soup(client.get(rich_guide(library).url)).select_one("[data-code-tabs]")
    assert [f["data-tab-label"] for f in group.select("figure.code")] == ["JavaScript", "Python"]
    assert [s.get_text() for s in group.select(".code__tab-label")] == ["JavaScript", "Python"]


def test_callout_table_and_quote_render_as_semantic_html(client, library):
    page = soup(client.get(rich_guide(library).url))
    assert page.select_one(".callout--warning[role=note]").get_text(" ", strip=True) == (
        "Warning Never reuse a key."
    )
    assert [th.get_text() for th in page.select(".data-table thead th")] == ["Code", "Meaning"]
    row_header = page.select_one(".data-table tbody th[scope=row]")
    assert row_header.find(string=True).strip() == "101"
    assert page.select_one(".quote figcaption").get_text() == "— An engineer"


def typed_table_guide(library):
    return make_guide(
        library["reference"],
        "Close codes",
        body=[
            heading("Code 1000"),
            table(
                ["Code", "Name", "On the wire", "Browsers may send"],
                [
                    ["1000", "Normal Closure", "yes", "yes"],
                    ["1006", "Abnormal Closure", "no", "no"],
                    ["4000", "", "yes", "partial"],
                ],
                types=["number", "text", "support", "support"],
            ),
            table(["Code", "Note"], [["1006", "Again"], ["", "No code"]]),
            table(["Step", "What"], [["1", "Open"]], first_column_is_header=False),
        ],
    )


def test_table_rows_get_ids_from_their_first_cell_unique_on_the_page(client, library):
    page = soup(client.get(typed_table_guide(library).url))
    first, second, third = page.select(".data-table")
    # "code-1000" is the heading's: the row takes the next free id.
    assert [tr.get("id") for tr in first.select("tbody tr")] == [
        "code-1000-2",
        "code-1006",
        "code-4000",
    ]
    assert [tr.get("id") for tr in second.select("tbody tr")] == ["code-1006-2", "code-row-2"]
    assert third.select_one("tbody tr").get("id") is None
    assert third.select_one("tbody th") is None


def test_each_named_row_links_to_itself_with_a_label_for_screen_readers(client, library):
    page = soup(client.get(typed_table_guide(library).url))
    link = page.select_one("#code-1006 th[scope=row] a.row-link")
    assert link["href"] == "#code-1006"
    assert link.select_one("[aria-hidden=true]").get_text() == "#"
    assert link.select_one(".visually-hidden").get_text() == "Link to the row “1006”"


def test_typed_cells_render_plainly_and_carry_their_sort_keys(client, library):
    page = soup(client.get(typed_table_guide(library).url))
    table = page.select_one(".data-table")
    assert [th["data-type"] for th in table.select("thead th")] == [
        "number",
        "text",
        "support",
        "support",
    ]
    row = table.select_one("#code-1000-2")
    assert row.th.find(string=True).strip() == "1000"  # Not 1000.00 or 1E+3.
    assert row.th["data-sort"] == "1000"
    assert [td.get("data-sort") for td in row.select("td")] == [None, "2", "2"]
    assert row.select("td")[1].get_text(" ", strip=True) == "✓ Yes"
    assert [td.get("data-sort") for td in table.select("#code-4000 td")] == [None, "2", "1"]
    assert page.select_one("script[src$='guides/tables.js']")["type"] == "module"


def test_links_to_other_guides_point_at_them(client, library):
    page = soup(client.get(rich_guide(library).url))
    assert page.find("a", string="the reconnection guide")["href"] == (
        "/guides/guides/reconnection-with-backoff/"
    )
    assert (
        page.select_one(".related-block a")["href"] == "/guides/guides/reconnection-with-backoff/"
    )


def test_previous_and_next_link_to_the_neighbours_in_the_section(client, library):
    first = make_guide(library["internals"], "First")
    second = make_guide(library["internals"], "Second")
    make_guide(library["internals"], "Draft", publish=False)
    page = soup(client.get(second.url))
    assert page.select_one(".pager a[rel=prev]")["href"] == first.url
    assert page.select_one(".pager a[rel=next]") is None


def test_guides_sharing_tags_are_suggested_most_shared_first(client, library):
    guide = make_guide(library["guides"], "Main", tags=["a", "b", "c"])
    make_guide(library["internals"], "One shared", tags=["a"])
    make_guide(library["comparisons"], "Two shared", tags=["a", "b"])
    make_guide(library["use-cases"], "Nothing shared", tags=["z"])
    titles = [a.get_text() for a in soup(client.get(guide.url)).select(".guide__related a")]
    assert titles == ["Two shared", "One shared"]


def test_each_other_guide_is_offered_once_at_the_foot_of_a_guide(client, library):
    section = library["internals"]
    guide = make_guide(section, "Main", tags=["a"])
    following = make_guide(section, "Next in the section", tags=["a"])
    chosen = make_guide(library["guides"], "Chosen by the editor", tags=["a"])
    make_guide(library["comparisons"], "Only sharing a tag", tags=["a"])
    guide.body = [paragraph("<p>Text.</p>"), related(following, chosen)]
    guide.save_revision().publish()
    page = soup(client.get(guide.url))

    def titles(selector):
        return [a.get_text() for a in page.select(f"{selector} a")]

    assert titles(".pager") == ["Next Next in the section"]
    assert titles(".related-block") == ["Chosen by the editor"]
    assert titles(".guide__related") == ["Only sharing a tag"]


def test_a_related_block_whose_guides_are_all_in_the_pager_is_not_shown(client, library):
    guide = make_guide(library["internals"], "Main")
    following = make_guide(library["internals"], "Next in the section")
    guide.body = [paragraph("<p>Text.</p>"), related(following)]
    guide.save_revision().publish()
    assert soup(client.get(guide.url)).select(".related-block") == []


def test_the_edit_link_is_shown_to_editors_only(client, library):
    guide = rich_guide(library)
    assert soup(client.get(guide.url)).select_one(".guide__edit") is None
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))
    link = soup(client.get(guide.url)).select_one(".guide__edit a")
    assert link["href"] == f"/admin/pages/{guide.pk}/edit/"


def test_a_guide_page_costs_the_same_few_queries_however_long_tagged_or_linked(
    client, library, django_assert_max_num_queries
):
    # One block of every kind, two tags, an author, a link and a related-guides block.
    guide = rich_guide(library)
    client.get(guide.url)  # Per-process caches (content types, site root paths) fill once.
    with django_assert_max_num_queries(GUIDE_PAGE_QUERY_BUDGET) as captured:
        assert client.get(guide.url).status_code == 200
    baseline = len(captured)

    # Eight times the blocks, twelve tags, links to six more guides, a bigger section.
    neighbours = [make_guide(library["internals"], f"Neighbour {n}", tags=["t1"]) for n in range(6)]
    guide.body = list(guide.body.raw_data) * 8 + [
        paragraph(f"<p>{page_link(page, page.title)}</p>") for page in neighbours
    ]
    guide.tags.set([f"t{n}" for n in range(12)])
    guide.save_revision().publish()
    with django_assert_max_num_queries(baseline):
        response = client.get(guide.url)
    assert response.status_code == 200
    assert response.content.count(b'class="code"') == 8 * 4
    assert response.content.count(b'href="/guides/internals/neighbour-') >= 6


def test_a_guide_in_a_password_protected_section_asks_for_the_password(client, library):
    guide = make_guide(library["internals"], "Frames", body=[paragraph("<p>Secret.</p>")])
    PageViewRestriction.objects.create(
        page=library["internals"], restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    response = client.get(guide.url)
    assert b"Secret." not in response.content
    assert b'name="password"' in response.content


def test_the_site_finds_a_guide_by_its_path_in_two_queries(library, rf, django_assert_num_queries):
    guide = make_guide(library["internals"], "Frames")
    home, request = HomePage.objects.get(), rf.get(guide.url)
    with django_assert_num_queries(2):
        found = home.route(request, ["guides", "internals", "frames"])
    assert found.page.pk == guide.pk
    assert found.page.get_parent().pk == library["internals"].pk


def test_a_path_below_a_guide_is_not_found(client, library):
    guide = make_guide(library["internals"], "Frames")
    assert client.get(guide.url).status_code == 200
    assert client.get(guide.url + "more/").status_code == 404


def test_a_subsection_before_any_section_is_refused_with_a_message_on_the_block():
    block = GuidePage._meta.get_field("body").stream_block
    value = block.to_python([heading("Orphan", level="h3")])
    with pytest.raises(StreamBlockValidationError) as error:
        block.clean(value)
    assert "must follow a section" in str(error.value.block_errors[0])


def test_two_headings_with_the_same_anchor_are_refused():
    block = GuidePage._meta.get_field("body").stream_block
    value = block.to_python([heading("A", anchor="same"), heading("B", anchor="same")])
    with pytest.raises(StreamBlockValidationError) as error:
        block.clean(value)
    assert "already uses the anchor" in str(error.value.block_errors[1])


def test_a_bad_highlighted_lines_value_is_explained_beside_the_field():
    block = CodeBlock()
    value = block.to_python({"language": "python", "code": "x", "highlight": "2-1", "check": "run"})
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert "ranges go upwards" in str(error.value.block_errors["highlight"])


def test_a_figure_needs_an_image_or_an_existing_static_file():
    block = FigureBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"alt": "x", "static_path": "guides/nothing.svg"}))
    assert "There is no static/guides/nothing.svg" in str(error.value.block_errors["static_path"])
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"alt": "x"}))


def test_summary_is_required(library):
    guide = GuidePage(title="No summary", slug="no-summary", body=[paragraph("<p>x</p>")])
    with pytest.raises(ValidationError, match="summary"):
        library["guides"].add_child(instance=guide)


def test_reading_time_counts_the_words_of_the_body(library):
    words = " ".join(["word"] * 1100)
    guide = make_guide(library["guides"], "Long", body=[paragraph(f"<p>{words}</p>")])
    assert guide.reading_time == 5


def test_an_editor_submits_a_guide_for_moderation_and_a_moderator_approves_it(client, library):
    editor = User.objects.create_user("ed", "ed@example.com", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator = User.objects.create_user("mo", "mo@example.com", "pw")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    guide = make_guide(library["guides"], "Awaiting review", publish=False)

    client.force_login(editor)
    form = guide_form_data(title="Awaiting review", slug=guide.slug)
    response = client.post(f"/admin/pages/{guide.pk}/edit/", {**form, "action-submit": "1"})
    assert response.status_code == 302
    guide.refresh_from_db()
    assert not guide.live
    state = guide.current_workflow_state
    assert state.status == "in_progress"

    client.force_login(moderator)
    task_state = state.current_task_state
    client.post(
        f"/admin/pages/workflow/action/{guide.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    guide.refresh_from_db()
    assert guide.live
    assert client.get(guide.url).status_code == 200


def test_authors_and_tags_are_managed_in_the_admin_without_code(client, library):
    make_guide(library["guides"], "Tagged", tags=["handshake"], authors=[make_author()])
    client.force_login(User.objects.create_superuser("admin", "a@example.com", "pw"))
    authors = client.get("/admin/snippets/guides/author/")
    tags = client.get("/admin/snippets/taggit/tag/")
    assert authors.status_code == tags.status_code == 200
    assert b"Ada Example" in authors.content
    assert b"handshake" in tags.content


def test_an_editor_can_schedule_a_guide_to_go_live_later(client, library):
    moderator = User.objects.create_user("mo", "mo@example.com", "pw")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    guide = make_guide(library["guides"], "Coming soon", publish=False)
    client.force_login(moderator)
    # The format of the browser's own <input type="datetime-local">.
    form = guide_form_data(title="Coming soon", slug=guide.slug, go_live_at="2099-01-01T09:00")
    client.post(f"/admin/pages/{guide.pk}/edit/", {**form, "action-publish": "1"})
    guide.refresh_from_db()
    assert not guide.live
    assert guide.status_string == "scheduled"
    assert guide.scheduled_revision.approved_go_live_at == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    assert client.get("/guides/guides/coming-soon/").status_code == 404
