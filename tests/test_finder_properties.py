"""Property: every valid combination of answers gets a recommendation with reasons."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder import engine
from finder.questions import QUESTIONS


def answer_strategy(question):
    if not question.multiple:
        return st.sampled_from(question.values)
    ticks = st.frozensets(st.sampled_from(question.values), min_size=int(question.required))
    return ticks.filter(lambda given: not question.conflict(given))


ANSWERS = st.fixed_dictionaries({q.key: answer_strategy(q) for q in QUESTIONS})
PROPERTY = settings(
    max_examples=400,
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
