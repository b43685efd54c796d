"""Property: every valid combination of answers gets a recommendation with reasons."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from finder import engine
from finder.questions import QUESTIONS


def answer_strategy(question):
    if not question.multiple:
        return st.sampled_from(question.values)
    ticks = st.frozensets(st.sampled_from(question.values), min_size=int(question.required))
    return ticks.filter(lambda given: not question.conflict(given))


ANSWERS = st.fixed_dictionaries({q.key: answer_strategy(q) for q in QUESTIONS})
# Four times the profile's count: 400 in `make test`, fewer in `make check` (tests/conftest.py).
PROPERTY = settings(
    max_examples=4 * settings.default.max_examples,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(ANSWERS)
def test_every_valid_combination_gets_a_recommendation_with_a_reason(answers):
    result = engine.recommend(answers)
    assert result.top.key in engine.CANDIDATE_KEYS
    assert result.top.viable
    assert result.top.reasons


@PROPERTY
@given(ANSWERS)
def test_every_candidate_is_either_ranked_or_ruled_out_with_a_reason(answers):
    result = engine.recommend(answers)
    ranked = [a.key for a in result.ranking]
    ruled_out = [a.key for a in result.ruled_out]
    assert sorted(ranked + ruled_out) == sorted(engine.CANDIDATE_KEYS)
    assert all(a.ruled_out for a in result.ruled_out)


@PROPERTY
@given(ANSWERS)
def test_every_suggested_change_leads_to_another_pick(answers):
    result = engine.recommend(answers)
    assert all(
        s.leads_to in engine.CANDIDATE_KEYS and s.leads_to != result.top.key
        for s in result.what_would_change
    )


def shown(answers):
    """The top pick and the runners-up, without the "what would change" search."""
    viable, _ = engine.rank(engine.normalise_answers(answers))
    return viable[: 1 + engine.RUNNERS_UP]


@PROPERTY
@given(ANSWERS)
def test_no_candidate_shown_is_contradicted_by_a_reason_of_its_own(answers):
    for candidate in shown(answers):
        contradicting = [
            rule.text
            for rule in engine.RULED_OUT_RULES
            if candidate.key in rule.candidates and rule.applies(answers)
        ]
        assert contradicting == [], (candidate.key, contradicting)


@PROPERTY
@given(ANSWERS)
@example(  # found by CI: push was decisive for a closed app and won
    {
        "direction": "both",
        "freshness": "minutes",
        "rate": "rare",
        "payload": "text",
        "size": "small",
        "lifetime": "request",
        "clients": frozenset({"browser"}),
        "delivery": "closed",
        "audience": "same",
        "scale": "medium",
        "limits": frozenset(),
        "existing": frozenset(),
    }
)
def test_when_clients_send_within_one_request_the_pick_can_carry_their_messages(answers):
    if answers["direction"] != "server_to_client" and answers["lifetime"] == "request":
        assert shown(answers)[0].key not in {"sse", "http_streaming", "push"}


@PROPERTY
@given(ANSWERS)
def test_when_offline_clients_must_catch_up_the_pick_is_not_webrtc(answers):
    if answers["delivery"] == "catch_up":
        assert shown(answers)[0].key != "webrtc"
