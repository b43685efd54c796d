"""The protocol finder's logic: plain Python, no Django.

The data it works on is elsewhere, each a table a reviewer can check line by line:
finder/questions.py (what we ask), finder/rules.py (the candidates, the contradictions that
rule one out and the weighted evidence) and finder/reading.py (guides to suggest). Here
the rows' conditions are parsed (a typo fails when this module is imported, not silently
at run time), the candidates are scored, and "what would change this answer" is computed
by re-ranking every single changed answer.

Scores are the sum of the matching evidence rows' points; the highest viable score wins.
Ties go to the simpler technology (``rules.CANDIDATES`` is ordered from simplest to most
involved). A candidate that a row of ``rules.RULED_OUT`` contradicts is never ranked.
"""

from dataclasses import dataclass, field, replace
from itertools import chain

from . import reading, rules
from .questions import QUESTIONS, QUESTIONS_BY_KEY
from .rules import CANDIDATE_KEYS, CANDIDATES

RUNNERS_UP = 3
SIMPLICITY = {key: index for index, key in enumerate(CANDIDATE_KEYS)}
NAMES = {candidate.key: candidate.name for candidate in CANDIDATES}


# ---------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    key: str
    values: frozenset
    negated: bool

    def holds(self, answers):
        answer = answers[self.key]
        given = answer if isinstance(answer, frozenset) else {answer}
        return bool(given & self.values) != self.negated


def parse_condition(text):
    """Turn "a=x,y & b!=z" into terms, refusing unknown questions and answers."""
    terms = []
    for part in text.split("&"):
        negated = "!=" in part
        key, _, values = part.partition("!=" if negated else "=")
        key, values = key.strip(), frozenset(v.strip() for v in values.split(","))
        if key not in QUESTIONS_BY_KEY:
            raise ValueError(f"{text!r}: no question {key!r}")
        unknown = values - set(QUESTIONS_BY_KEY[key].values)
        if unknown:
            raise ValueError(f"{text!r}: {key!r} has no answer {sorted(unknown)}")
        terms.append(Term(key, values, negated))
    return tuple(terms)


@dataclass(frozen=True)
class Rule:
    candidates: tuple
    when: str
    text: str
    points: int = 0
    terms: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        unknown = set(self.candidates) - set(CANDIDATE_KEYS)
        if unknown:
            raise ValueError(f"{self.when!r}: no candidate {sorted(unknown)}")
        object.__setattr__(self, "terms", parse_condition(self.when))

    def applies(self, answers):
        return all(term.holds(answers) for term in self.terms)


def compile_rules(rows, with_points):
    """Rows of rules.py, ``(candidate or candidates, [points,] when, text)``, as Rules."""
    compiled = []
    for row in rows:
        keys, *rest = row
        keys = (keys,) if isinstance(keys, str) else keys
        points, when, text = rest if with_points else (0, *rest)
        compiled.append(Rule(keys, when, text, points))
    return tuple(compiled)


RULED_OUT_RULES = compile_rules(rules.RULED_OUT, with_points=False)
EVIDENCE_RULES = compile_rules(rules.EVIDENCE, with_points=True)
GUIDE_RULES = tuple((guide, keys, parse_condition(when)) for guide, keys, when in reading.GUIDES)


# ---------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------


class InvalidAnswers(ValueError):
    """The answers don't fit QUESTIONS; ``errors`` maps question keys to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


def normalise_answers(answers):
    """Answers in the engine's shape (tick-all answers become frozensets), or InvalidAnswers."""
    errors, clean = {}, {}
    for key in sorted(set(answers) - set(QUESTIONS_BY_KEY)):
        errors[key] = "There is no such question."
    for question in QUESTIONS:
        value = answers.get(question.key)
        if question.multiple:
            given = frozenset(() if value is None else value)
            if not given <= set(question.values):
                errors[question.key] = "Unknown answer."
            elif question.required and not given:
                errors[question.key] = "Tick at least one."
            elif question.conflict(given):
                errors[question.key] = question.conflict(given)
            clean[question.key] = given
        elif value is None:
            errors[question.key] = "No answer."
        elif value not in question.values:
            errors[question.key] = "Unknown answer."
        else:
            clean[question.key] = value
    if errors:
        raise InvalidAnswers(errors)
    return clean


# ---------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Switch:
    """One changed answer, and the candidate it would put on top."""

    question: str
    value: str
    ticked: bool | None  # for tick-all questions: True if ticking it, False if unticking
    leads_to: str = ""

    @property
    def text(self):
        question = QUESTIONS_BY_KEY[self.question]
        answer = question.label(self.value)
        if self.ticked is None:
            return f"If you answered “{answer}” to “{question.title}”"
        verb = "ticked" if self.ticked else "unticked"
        return f"If you {verb} “{answer}” for “{question.title}”"


@dataclass(frozen=True)
class Assessment:
    key: str
    name: str
    score: int
    reasons: tuple[str, ...]
    caveats: tuple[str, ...]
    ruled_out: tuple[str, ...]
    # Single answer changes that would make this candidate the top pick.
    pick_instead_if: tuple[Switch, ...] = ()

    @property
    def viable(self):
        return not self.ruled_out


@dataclass(frozen=True)
class Recommendation:
    answers: dict
    top: Assessment
    runners_up: tuple[Assessment, ...]
    others: tuple[Assessment, ...]
    ruled_out: tuple[Assessment, ...]
    # Single answer changes that would put another candidate on top.
    what_would_change: tuple[Switch, ...]
    guides: tuple[reading.Guide, ...]

    @property
    def ranking(self):
        return (self.top, *self.runners_up, *self.others)

    @property
    def confidence(self):
        """ "clear", "good" or "close": how far the top pick is ahead of the next one."""
        if not self.runners_up:
            return "clear"
        margin = self.top.score - self.runners_up[0].score
        return "clear" if margin >= 4 else "good" if margin >= 2 else "close"

    @property
    def runs_over_websocket(self):
        """The pick is WebSocket, or MQTT whose browser clients connect over WebSocket:
        then the echo tester is worth a try (not when WebSocket is only a runner-up)."""
        if self.top.key == "websocket":
            return True
        browsers = self.answers["clients"] & {"browser", "browser_no_safari"}
        return self.top.key == "mqtt" and bool(browsers)


def contradictions(answers, key):
    """Why the answers rule candidate ``key`` out: the texts of the rows that apply."""
    return tuple(
        rule.text for rule in RULED_OUT_RULES if key in rule.candidates and rule.applies(answers)
    )


def assess(answers, key):
    matched = [rule for rule in EVIDENCE_RULES if key in rule.candidates and rule.applies(answers)]
    return Assessment(
        key=key,
        name=NAMES[key],
        score=sum(rule.points for rule in matched),
        reasons=tuple(rule.text for rule in matched if rule.points > 0),
        caveats=tuple(
            rule.text for rule in sorted(matched, key=lambda rule: rule.points) if rule.points <= 0
        ),
        ruled_out=contradictions(answers, key),
    )


def rank(answers):
    """Every candidate assessed: the viable ones best first (ties: the simpler one), then
    the ruled-out ones. ``answers`` must already be normalised by normalise_answers()."""
    assessments = [assess(answers, key) for key in CANDIDATE_KEYS]
    viable = sorted(
        (a for a in assessments if a.viable), key=lambda a: (-a.score, SIMPLICITY[a.key])
    )
    return viable, [a for a in assessments if not a.viable]


# ---------------------------------------------------------------------------------------
# What would change the answer
# ---------------------------------------------------------------------------------------


def alternatives(answers):
    """Each valid answer set that differs from ``answers`` in one answer, with the change."""
    for question in QUESTIONS:
        current = answers[question.key]
        for value in question.values:
            if question.multiple:
                changed = {**answers, question.key: current ^ {value}}
                try:
                    normalise_answers(changed)
                except InvalidAnswers:
                    continue
                yield Switch(question.key, value, ticked=value not in current), changed
            elif value != current:
                yield Switch(question.key, value, ticked=None), {**answers, question.key: value}


def switches(answers, top_key):
    """The single answer changes that would put another candidate on top."""
    found = []
    for switch, changed in alternatives(answers):
        new_top = rank(changed)[0][0].key
        if new_top != top_key:
            found.append(replace(switch, leads_to=new_top))
    return tuple(found)


def suggested_guides(answers, shown):
    guides = []
    for guide, keys, terms in GUIDE_RULES:
        if shown[0] in keys and all(term.holds(answers) for term in terms):
            guides.append(guide)
    guides.extend(reading.COMPARISONS[key] for key in shown if key in reading.COMPARISONS)
    return tuple(dict.fromkeys(guides))


def recommend(answers):
    """The finder's answer for one set of answers (see QUESTIONS); raises InvalidAnswers."""
    answers = normalise_answers(answers)
    viable, ruled_out = rank(answers)
    changes = switches(answers, viable[0].key)
    by_target = {}
    for switch in changes:
        by_target.setdefault(switch.leads_to, []).append(switch)
    top, runners_up, others = viable[0], viable[1 : 1 + RUNNERS_UP], viable[1 + RUNNERS_UP :]
    runners_up = tuple(
        replace(a, pick_instead_if=tuple(by_target.get(a.key, ()))) for a in runners_up
    )
    shown = [a.key for a in chain((top,), runners_up)]
    return Recommendation(
        answers=answers,
        top=top,
        runners_up=runners_up,
        others=tuple(others),
        ruled_out=tuple(ruled_out),
        what_would_change=changes,
        guides=suggested_guides(answers, shown),
    )
