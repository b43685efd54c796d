"""The engine's recommendation, dressed for the page and the JSON API.

The words about each protocol (name, description, strengths, weaknesses) come from the
Protocol snippets editors maintain; when a snippet is missing, the engine's own name
stands in and the lists are left empty.
"""

from dataclasses import dataclass

from django.urls import reverse

from . import engine, reading
from .forms import answers_query
from .models import Protocol
from .questions import QUESTIONS


@dataclass
class Shown:
    """One assessed candidate with its editable wording."""

    assessment: engine.Assessment
    protocol: Protocol | None
    status: str  # "recommended", "runner-up", "considered" or "ruled out"
    rank: int | None

    @property
    def key(self):
        return self.assessment.key

    @property
    def name(self):
        return self.protocol.name if self.protocol else self.assessment.name

    @property
    def description(self):
        return self.protocol.description if self.protocol else ""

    @property
    def strengths(self):
        return self.protocol.strength_list if self.protocol else []

    @property
    def weaknesses(self):
        return self.protocol.weakness_list if self.protocol else []

    @property
    def comparison(self):
        return reading.COMPARISONS.get(self.key)


@dataclass
class Result:
    recommendation: engine.Recommendation
    top: Shown
    runners_up: list
    others: list
    ruled_out: list
    names: dict

    @property
    def considered_count(self):
        return len(self.others) + len(self.ruled_out)

    @property
    def query(self):
        return answers_query(self.recommendation.answers)

    @property
    def result_url(self):
        return f"{reverse('finder:result')}?{self.query}"

    @property
    def edit_url(self):
        return f"{reverse('finder:finder')}?{self.query}"

    @property
    def api_url(self):
        return f"{reverse('finder:api')}?{self.query}"

    @property
    def echo_tester_url(self):
        return reading.ECHO_TESTER if self.recommendation.runs_over_websocket else None

    @property
    def changes(self):
        """What would change the answer, as (switch, name of the new pick) pairs."""
        return [(s, self.names[s.leads_to]) for s in self.recommendation.what_would_change]

    @property
    def answered(self):
        """The answers as (question, [answer labels]) for a summary."""
        rows = []
        for question in QUESTIONS:
            value = self.recommendation.answers[question.key]
            values = [v for v in question.values if v in value] if question.multiple else [value]
            rows.append((question, [question.label(v) for v in values]))
        return rows


def build(answers):
    recommendation = engine.recommend(answers)
    protocols = Protocol.objects.by_key()

    def shown(assessment, status, rank=None):
        return Shown(assessment, protocols.get(assessment.key), status, rank)

    result = Result(
        recommendation=recommendation,
        top=shown(recommendation.top, "recommended", 1),
        runners_up=[
            shown(a, "runner-up", rank) for rank, a in enumerate(recommendation.runners_up, 2)
        ],
        others=[
            shown(a, "considered", rank)
            for rank, a in enumerate(recommendation.others, 2 + len(recommendation.runners_up))
        ],
        ruled_out=[shown(a, "ruled out") for a in recommendation.ruled_out],
        names={},
    )
    everything = [result.top, *result.runners_up, *result.others, *result.ruled_out]
    result.names = {item.key: item.name for item in everything}
    return result


def _switch(switch, names):
    return {
        "question": switch.question,
        "answer": switch.value,
        "change": "answer" if switch.ticked is None else "tick" if switch.ticked else "untick",
        "text": switch.text,
        "leads_to": switch.leads_to,
        "leads_to_name": names[switch.leads_to],
    }


def as_json(result):
    """The result as a JSON-ready dict; the documented shape of /finder/api/."""
    recommendation = result.recommendation

    def candidate(item):
        a = item.assessment
        return {
            "key": item.key,
            "name": item.name,
            "description": item.description,
            "status": item.status,
            "rank": item.rank,
            "score": a.score,
            "reasons": list(a.reasons),
            "caveats": list(a.caveats),
            "ruled_out_because": list(a.ruled_out),
            "pick_instead_if": [_switch(s, result.names) for s in a.pick_instead_if],
            "strengths": item.strengths,
            "weaknesses": item.weaknesses,
            "comparison_guide": item.comparison.path if item.comparison else None,
        }

    return {
        "answers": {
            key: sorted(value) if isinstance(value, frozenset) else value
            for key, value in recommendation.answers.items()
        },
        "recommendation": result.top.key,
        "confidence": recommendation.confidence,
        "candidates": [
            candidate(item)
            for item in (result.top, *result.runners_up, *result.others, *result.ruled_out)
        ],
        "what_would_change": [_switch(s, result.names) for s in recommendation.what_would_change],
        "guides": [{"title": g.title, "url": g.path} for g in recommendation.guides],
        "echo_tester": result.echo_tester_url,
        "links": {"result": result.result_url, "edit": result.edit_url, "api": result.api_url},
    }


# The API example on the finder page: a chat in browsers and mobile apps.
EXAMPLE_ANSWERS = {
    "direction": "both",
    "freshness": "seconds",
    "rate": "steady",
    "payload": "text",
    "size": "small",
    "lifetime": "session",
    "clients": frozenset({"browser", "mobile"}),
    "delivery": "catch_up",
    "audience": "personal",
    "scale": "medium",
    "limits": frozenset(),
    "existing": frozenset(),
}


def example_query():
    return answers_query(EXAMPLE_ANSWERS)


def questions_json():
    return [
        {
            "key": q.key,
            "question": q.title,
            "multiple": q.multiple,
            "required": q.required,
            "answers": [{"value": c.value, "label": c.label} for c in q.choices],
        }
        for q in QUESTIONS
    ]
