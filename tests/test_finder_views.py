"""The finder's pages and JSON API, through Django's test client."""

import importlib
import io
import json
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from finder import engine
from finder.models import Protocol
from finder.questions import QUESTIONS
from tests.finder_factories import make_answers, make_query

pytestmark = pytest.mark.django_db

CHAT = {"direction": "both", "clients": ("browser", "mobile"), "delivery": "catch_up"}
WEATHER = {"freshness": "minutes", "rate": "rare", "audience": "same", "delivery": "latest"}
TICKER = {"freshness": "subsecond", "rate": "high"}
UPLOADS = {
    "direction": "client_to_server",
    "payload": "binary",
    "size": "bulk",
    "lifetime": "request",
    "clients": ("device",),
}
TRACKERS = "&utm_source=newsletter&utm_medium=email&fbclid=abc123"


def checked_values(html, name):
    """The values of the checked inputs called `name` in a rendered form."""
    inputs = re.findall(rf'<input type="(?:radio|checkbox)" name="{name}" [^>]*>', html)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i]


def error_summary(html):
    match = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    return match.group(0) if match else ""


# -- The questions ---------------------------------------------------------------------


def test_finder_page_asks_every_question_as_a_fieldset_with_a_legend(client, db):
    html = client.get("/finder/").content.decode()
    assert html.count("<fieldset") == len(QUESTIONS)
    assert html.count("<legend") == len(QUESTIONS)
    for question in QUESTIONS:
        assert question.title in html


def test_finder_form_submits_with_get_to_the_result_page(client, db):
    html = client.get("/finder/").content.decode()
    assert re.search(r'<form[^>]+action="/finder/result/"[^>]+method="get"', html)


def test_finder_page_links_the_api_documentation_instead_of_repeating_it(client, db):
    html = client.get("/finder/").content.decode()
    assert 'href="/finder/api/docs/"' in html
    assert "<code>direction</code>" not in html


def test_api_documentation_page_documents_every_parameter_and_answer(client, db):
    response = client.get("/finder/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>The protocol finder's JSON API</h1>", html)
    assert "/finder/api/?" in html
    for question in QUESTIONS:
        assert f"<code>{question.key}</code>" in html
        for value in question.values:
            assert f"<code>{value}</code>" in html


def test_api_documentation_page_says_unknown_parameters_are_ignored(client, db):
    html = client.get("/finder/api/docs/").content.decode()
    assert "Parameters the finder doesn't ask about" in html


def test_a_fresh_form_is_offered_one_question_at_a_time_when_javascript_runs(client, db):
    html = client.get("/finder/").content.decode()
    assert "data-one-at-a-time" in html
    assert 'type="module" src="/static/finder/finder.js"' in html


def test_an_empty_submission_asks_the_questions_without_errors(client, db):
    response = client.get("/finder/result/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answer the questions below to get a recommendation." in html
    assert "error-summary" not in html


# -- The result ------------------------------------------------------------------------


def test_result_names_the_top_pick_in_the_heading_with_its_reasons(client, finder_protocols):
    response = client.get("/finder/result/?" + make_query(**CHAT))
    html = response.content.decode()
    top = engine.recommend(make_answers(**CHAT)).top
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>WebSocket</h1>", html)
    for reason in top.reasons:
        assert reason in html


def test_result_shows_runners_up_with_when_to_pick_them(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert "Runners-up, and when to pick them instead" in html
    assert "Server-Sent Events" in html
    assert "If you answered “The server, to clients only” to “Who sends the data?”" in html


def test_result_says_what_would_change_the_answer(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert "What would change this answer" in html
    assert "If you ticked “Restrictive proxies or firewalls”" in html


def test_result_links_the_matching_guides(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert 'href="/guides/use-cases/chat/"' in html
    assert 'href="/guides/comparisons/websocket-vs-server-sent-events/"' in html


def test_result_links_the_echo_tester_when_websocket_is_in_play(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert 'href="/echo/"' in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_result_leaves_out_the_echo_tester_when_websocket_is_not_in_play(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**WEATHER)).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.search(r"<h1[^>]*>Plain HTTP requests</h1>", main)
    assert 'href="/echo/"' not in main


def test_result_leaves_out_the_echo_tester_when_websocket_is_only_a_runner_up(
    client, finder_protocols
):
    html = client.get("/finder/result/?" + make_query(**TICKER)).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.search(r"<h1[^>]*>Server-Sent Events</h1>", main)
    assert "Try a WebSocket now" not in main


def test_device_uploads_are_called_requests_not_polling(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**UPLOADS)).content.decode()
    assert re.search(r"<h1[^>]*>Plain HTTP requests</h1>", html)
    assert "polling</h1>" not in html


def test_result_page_links_the_api_documentation_page(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert 'href="/finder/api/docs/"' in html


def test_edit_answers_link_returns_to_the_form_with_every_answer_kept(client, finder_protocols):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    edit = re.search(r'<a class="button button--primary" href="([^"]+)">Edit answers', html)
    form = client.get(edit.group(1).replace("&amp;", "&")).content.decode()
    assert checked_values(form, "direction") == ["both"]
    assert checked_values(form, "clients") == ["browser", "mobile"]
    assert checked_values(form, "delivery") == ["catch_up"]
    assert checked_values(form, "limits") == []
    assert "data-one-at-a-time" not in form


def test_result_uses_the_editors_wording_for_the_protocol(client, finder_protocols):
    Protocol.objects.filter(key="websocket").update(
        name="WebSockets (RFC 6455)", description="Edited by an editor.", strengths="Fast"
    )
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert "WebSockets (RFC 6455)</h1>" in html
    assert "Edited by an editor." in html
    assert "<li>Fast</li>" in html


def test_result_falls_back_to_the_engine_name_when_a_snippet_is_missing(client, db):
    html = client.get("/finder/result/?" + make_query(**CHAT)).content.decode()
    assert re.search(r"<h1[^>]*>WebSocket</h1>", html)


def test_result_page_declares_its_canonical_url_and_json_twin(client, finder_protocols):
    query = make_query(**CHAT)
    html = client.get("/finder/result/?" + query).content.decode()
    canonical = f"http://testserver/finder/result/?{query.replace('&', '&amp;')}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'href="/finder/api/?{query.replace("&", "&amp;")}"' in html


def test_pages_carry_no_inline_script_or_style(client, finder_protocols):
    pages = ("/finder/", "/finder/api/docs/", "/finder/result/?" + make_query(**CHAT))
    for url in (*pages, "/finder/result/?direction=x"):
        html = client.get(url).content.decode()
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\son[a-z]+=", html)


# -- Bad input -------------------------------------------------------------------------


def test_missing_answers_get_the_form_back_with_a_summary_and_messages_beside_fields(client, db):
    response = client.get("/finder/result/?direction=both")
    html = response.content.decode()
    summary = error_summary(html)
    assert response.status_code == 400
    assert 'href="#q-freshness_0"' in summary and "Choose an answer." in summary
    assert '<p class="question__error" id="freshness-error">' in html
    assert checked_values(html, "direction") == ["both"]


def test_a_shared_result_with_tracking_parameters_still_answers(client, finder_protocols):
    response = client.get("/finder/result/?" + make_query(**CHAT) + TRACKERS)
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>WebSocket</h1>", response.content.decode())


def test_tracking_parameters_are_dropped_from_the_canonical_url(client, finder_protocols):
    query = make_query(**CHAT)
    html = client.get("/finder/result/?" + query + TRACKERS).content.decode()
    canonical = f"http://testserver/finder/result/?{query.replace('&', '&amp;')}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert "utm_source" not in html and "fbclid" not in html


def test_a_bad_answer_beside_tracking_parameters_is_refused_beside_its_field(client, db):
    response = client.get("/finder/result/?" + make_query(direction="sideways") + TRACKERS)
    html = response.content.decode()
    assert response.status_code == 400
    assert "“sideways” is not one of these answers" in error_summary(html)
    assert "utm_source" not in error_summary(html)


def test_the_form_with_only_tracking_parameters_is_a_fresh_form(client, db):
    response = client.get("/finder/?" + TRACKERS.lstrip("&"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-one-at-a-time" in html and "error-summary" not in html


def test_a_repeated_answer_is_refused_beside_its_field(client, db):
    response = client.get("/finder/result/?" + make_query() + "&rate=high")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The address gives 2 answers here; choose just one." in html


def test_a_repeated_tick_is_refused(client, db):
    response = client.get("/finder/result/?" + make_query(clients=("mobile",)) + "&clients=mobile")
    assert response.status_code == 400
    assert "The address repeats an answer here; tick it once." in response.content.decode()


def test_both_browser_answers_at_once_are_refused(client, db):
    response = client.get("/finder/result/?" + make_query(clients=("browser", "browser_no_safari")))
    assert response.status_code == 400
    assert "Tick only one of the two browser answers" in response.content.decode()


def test_a_tampered_answer_is_escaped_and_refused(client, db):
    query = make_query(direction="<script>alert(1)</script>")
    response = client.get("/finder/result/?" + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in html
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” is not one of these answers" in html


def test_a_very_long_tampered_answer_is_shortened_in_the_message(client, db):
    response = client.get("/finder/result/?" + make_query(direction="x" * 5000))
    html = response.content.decode()
    assert response.status_code == 400
    assert "x" * 39 + "…" in html
    assert "x" * 41 not in html


def test_too_many_parameters_get_a_clear_error_not_a_crash(client, db):
    response = client.get("/finder/result/?" + "a=1&" * 1500)
    assert response.status_code == 400
    assert "too many parameters" in error_summary(response.content.decode())


# -- The JSON API ----------------------------------------------------------------------


def test_api_returns_the_same_recommendation_as_the_page(client, finder_protocols):
    response = client.get("/finder/api/?" + make_query(**CHAT))
    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["recommendation"] == "websocket"
    assert body["candidates"][0]["status"] == "recommended"
    assert body["candidates"][0]["reasons"]
    assert body["echo_tester"] == "/echo/"


def test_api_lists_every_candidate_once_with_ruled_out_reasons(client, finder_protocols):
    body = client.get("/finder/api/?" + make_query(**CHAT)).json()
    keys = [candidate["key"] for candidate in body["candidates"]]
    assert sorted(keys) == sorted(engine.CANDIDATE_KEYS)
    ruled_out = [c for c in body["candidates"] if c["status"] == "ruled out"]
    assert ruled_out and all(c["ruled_out_because"] for c in ruled_out)


def test_api_includes_editable_wording_and_links(client, finder_protocols):
    body = client.get("/finder/api/?" + make_query(**CHAT)).json()
    top = body["candidates"][0]
    assert top["description"] and top["strengths"] and top["weaknesses"]
    assert {"title": "Building chat", "url": "/guides/use-cases/chat/"} in body["guides"]
    assert body["links"]["edit"].startswith("/finder/?direction=both")


def test_api_answers_bad_input_with_400_errors_by_parameter(client, db):
    response = client.get("/finder/api/?direction=sideways" + TRACKERS)
    body = response.json()
    assert response.status_code == 400
    assert "not one of these answers" in body["errors"]["direction"][0]
    assert "utm_source" not in json.dumps(body["errors"])
    assert [q["key"] for q in body["questions"]] == [q.key for q in QUESTIONS]


def test_api_ignores_tracking_parameters(client, finder_protocols):
    query = make_query(**CHAT)
    response = client.get("/finder/api/?" + query + TRACKERS)
    assert response.status_code == 200
    assert response.json()["links"]["api"] == "/finder/api/?" + query


def test_api_without_answers_asks_the_questions(client, db):
    response = client.get("/finder/api/")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "query": ["Every question needs an answer; see questions."]
    }


def test_api_result_is_the_same_for_the_same_query(client, finder_protocols):
    query = "/finder/api/?" + make_query(**CHAT)
    assert json.loads(client.get(query).content) == json.loads(client.get(query).content)


# -- The snippets ----------------------------------------------------------------------


def test_load_protocols_creates_a_description_for_every_candidate(finder_protocols):
    assert set(Protocol.objects.values_list("key", flat=True)) == set(engine.CANDIDATE_KEYS)


def test_load_protocols_leaves_an_editors_changes_alone(finder_protocols):
    Protocol.objects.filter(key="sse").update(description="Edited by an editor.")
    call_command("load_protocols", stdout=io.StringIO())
    assert Protocol.objects.get(key="sse").description == "Edited by an editor."
    assert Protocol.objects.count() == len(engine.CANDIDATE_KEYS)


def test_load_protocols_restores_a_deleted_description(finder_protocols):
    Protocol.objects.filter(key="mqtt").delete()
    call_command("load_protocols", stdout=io.StringIO())
    assert Protocol.objects.filter(key="mqtt").exists()


def test_editors_can_edit_protocol_snippets_in_the_wagtail_admin(
    client, finder_protocols, django_user_model
):
    editor = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(editor)
    listing = client.get("/admin/snippets/finder/protocol/")
    protocol = Protocol.objects.get(key="webrtc")
    edit = client.get(f"/admin/snippets/finder/protocol/edit/{protocol.pk}/")
    assert listing.status_code == 200 and "WebRTC data channels" in listing.content.decode()
    assert edit.status_code == 200 and 'name="strengths"' in edit.content.decode()


def rename_migration():
    return importlib.import_module("finder.migrations.0002_plain_http_requests")


def test_the_rename_migration_renames_the_starter_name_of_plain_http(db):
    Protocol.objects.create(key="polling", name="Plain HTTP polling", description="d")
    rename_migration().rename(django_apps, None)
    assert Protocol.objects.get(key="polling").name == "Plain HTTP requests"


def test_the_rename_migration_leaves_a_name_an_editor_chose(db):
    Protocol.objects.create(key="polling", name="Good old HTTP", description="d")
    rename_migration().rename(django_apps, None)
    assert Protocol.objects.get(key="polling").name == "Good old HTTP"
