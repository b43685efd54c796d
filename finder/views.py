"""The finder's addresses: the questions, the result, the same result as JSON, and the
JSON API's documentation.

The first three read only the query string, so a result is a pure function of its URL;
parameters that answer no question are ignored.
"""

from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render

from . import results
from .forms import FinderForm, asked_in

TOO_MANY = "The address has too many parameters. Answer the questions below and submit again."
JSON_PARAMS = {"indent": 2, "ensure_ascii": False}


def read_form(request):
    """The form bound to the query string's answers (unbound when it has none), or the
    reason the query string was refused before it could be read."""
    try:
        query = asked_in(request.GET)
    except TooManyFieldsSent:
        return FinderForm(), TOO_MANY
    return (FinderForm(query) if query else FinderForm()), None


def invalid(form, refused):
    return refused or (form.is_bound and not form.is_valid())


def questions_page(request, form, refused=None, asked=False):
    status = 400 if invalid(form, refused) else 200
    context = {"form": form, "refused": refused, "asked": asked}
    return render(request, "finder/finder.html", context, status=status)


def finder(request):
    """The questions; with answers in the address (from "Edit answers") they are filled in."""
    form, refused = read_form(request)
    return questions_page(request, form, refused)


def result(request):
    form, refused = read_form(request)
    if refused or not form.is_valid():
        # An empty submission (unbound form) asks the questions, without errors.
        return questions_page(request, form, refused, asked=not form.is_bound)
    context = {"result": results.build(form.answers)}
    return render(request, "finder/result.html", context)


def api_docs(request):
    context = {"questions": results.questions_json(), "example_query": results.example_query()}
    return render(request, "finder/api_docs.html", context)


def api(request):
    form, refused = read_form(request)
    if refused or not form.is_valid():
        if refused:
            errors = {"query": [refused]}
        elif not form.is_bound:
            errors = {"query": ["Every question needs an answer; see questions."]}
        else:
            errors = {key: list(messages) for key, messages in form.errors.items()}
        body = {"errors": errors, "questions": results.questions_json()}
        return JsonResponse(body, status=400, json_dumps_params=JSON_PARAMS)
    body = results.as_json(results.build(form.answers))
    return JsonResponse(body, json_dumps_params=JSON_PARAMS)
