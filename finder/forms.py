from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from .questions import QUESTIONS, QUESTIONS_BY_KEY


@dataclass
class QuestionItem:
    """One question as the template lays it out: the fieldset, its options and hints."""

    number: int
    question: object
    field: forms.BoundField

    @property
    def key(self):
        return self.question.key

    @property
    def options(self):
        hints = {choice.value: choice.hint for choice in self.question.choices}
        return [(widget, hints[widget.data["value"]]) for widget in self.field.subwidgets]


def truncated(value, limit=40):
    return value if len(value) <= limit else value[: limit - 1] + "…"


class FinderForm(forms.Form):
    """The finder's questions, read from a query string.

    The form is the gate for every answer that reaches the engine: besides Django's own
    checks it refuses answers given more than once (an address edited by hand, or
    tampered with). Parameters it doesn't ask about never reach it: see ``asked_in``.
    """

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("auto_id", "q-%s")
        super().__init__(data, **kwargs)
        for question in QUESTIONS:
            choices = [(choice.value, choice.label) for choice in question.choices]
            if question.multiple:
                field = forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=question.required,
                    error_messages={
                        "required": "Tick at least one answer.",
                        "invalid_choice": "“%(value)s” is not one of these answers.",
                    },
                )
            else:
                field = forms.ChoiceField(
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": "Choose an answer.",
                        "invalid_choice": "“%(value)s” is not one of these answers; choose one.",
                    },
                )
            field.label = question.title
            field.help_text = question.help
            self.fields[question.key] = field

    def full_clean(self):
        # Long tampered values are shown back in messages: keep them short.
        if self.is_bound:
            self.data = self.data.copy()
            for key in self.data:
                self.data.setlist(key, [truncated(v) for v in self.data.getlist(key)])
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        for question in QUESTIONS:
            given = self.data.getlist(question.key)
            if not question.multiple and len(given) > 1:
                self.add_error(
                    question.key,
                    f"The address gives {len(given)} answers here; choose just one.",
                )
            elif question.multiple and len(set(given)) < len(given):
                self.add_error(question.key, "The address repeats an answer here; tick it once.")
            elif conflict := question.conflict(cleaned.get(question.key) or ()):
                self.add_error(question.key, conflict)
        return cleaned

    @property
    def questions(self):
        return [
            QuestionItem(number, question, self[question.key])
            for number, question in enumerate(QUESTIONS, start=1)
        ]

    @property
    def answers(self):
        """The valid answers in the engine's shape (tick-all answers as frozensets)."""
        return {
            question.key: (
                frozenset(self.cleaned_data[question.key])
                if question.multiple
                else self.cleaned_data[question.key]
            )
            for question in QUESTIONS
        }


def asked_in(query):
    """The query string's parameters that answer a question. Links shared by email or on
    social media gain trackers' parameters (utm_source, fbclid, ...): they are ignored, so
    the link still answers, and the canonical URL leaves them out."""
    asked = QueryDict(mutable=True)
    for key in query:
        if key in QUESTIONS_BY_KEY:
            asked.setlist(key, query.getlist(key))
    return asked


def answers_query(answers):
    """The canonical query string for a set of answers: questions and ticks in form order."""
    pairs = []
    for question in QUESTIONS:
        value = answers[question.key]
        if question.multiple:
            pairs.extend((question.key, v) for v in question.values if v in value)
        else:
            pairs.append((question.key, value))
    return urlencode(pairs)
