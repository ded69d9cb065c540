"""Every message in the fund's own words (issue 15): every Django form and REST framework
serializer the product defines is found, filled with bad input (nothing, negative numbers,
words for numbers, too-long text, impossible dates, choices that are not offered), and every
error it gives is read. The test fails on

- a snake_case name in a message ("duration_months"), or a label built from the field's name
  ("Fill in “Min partner agencies”": the form never chose a label);
- one of Django's or the REST framework's default messages ("This field is required.",
  "Ensure this value is greater than or equal to 0.01.", "Select a valid choice. …"), read from
  the libraries themselves in a fresh interpreter, before `workflow/plain_messages.py` replaces
  them;
- "… is not a number." for a negative number.

A form that needs arguments (a user, a panel, a round) gets them from the factories
(`CONSTRUCTOR_ARGS`).
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.utils import pretty_name
from rest_framework import fields as api_fields
from rest_framework import relations, serializers
from rest_framework.test import APIRequestFactory

APPS = ["people", "proposals", "reviews", "fund", "rewards", "notifications", "jobs",
        "datafiles", "documents", "portal", "securitylog", "workflow", "api_common"]


# --- the defaults, read from Django and the REST framework before the product changes them ---
_DEFAULTS_SCRIPT = r"""
import inspect, json
import django
from django.conf import settings
settings.configure(USE_I18N=False, INSTALLED_APPS=[
    "django.contrib.contenttypes", "django.contrib.auth", "rest_framework"])
django.setup()
from django import forms
from django.forms import formsets
from django.core import validators
from django.db import models
from rest_framework import fields, relations, serializers

found = set()
def classes(module, base):
    for obj in vars(module).values():
        if inspect.isclass(obj) and issubclass(obj, base):
            yield obj
for module, base in ((forms, forms.Field), (forms.models, forms.Field), (models, models.Field),
                     (fields, fields.Field), (relations, fields.Field),
                     (serializers, fields.Field)):
    for cls in classes(module, base):
        for klass in cls.__mro__:
            found.update(str(m) for m in vars(klass).get("default_error_messages", {}).values())
found.update(str(m) for m in formsets.BaseFormSet.default_error_messages.values())
for obj in vars(validators).values():
    message = getattr(obj, "message", None)
    if message:
        found.add(str(message))
found.update(str(m) for m in validators.DecimalValidator.messages.values())
from rest_framework import validators as api_validators
for obj in vars(api_validators).values():
    if inspect.isclass(obj):
        for name in ("message", "missing_message"):
            if isinstance(getattr(obj, name, None), str) or getattr(obj, name, None):
                found.add(str(getattr(obj, name)))
for cls in (validators.MaxLengthValidator, validators.MinLengthValidator):
    message = cls.message
    found.update([str(message._proxy____args[0]) if hasattr(message, "_proxy____args") else "",
                  str(message._proxy____args[1]) if hasattr(message, "_proxy____args") else ""])
print(json.dumps(sorted(m for m in found if m)))
"""


def _default_messages() -> list[str]:
    out = subprocess.run([sys.executable, "-c", _DEFAULTS_SCRIPT], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def _pattern(message: str) -> re.Pattern:
    """A default message as a pattern: its placeholders (%(x)s, {x}) match any text."""
    text = re.escape(message.strip())
    text = re.sub(r"%\\\(\w+\\\)[sdrif]", ".+?", text)
    text = re.sub(r"\\\{\w+\\\}", ".+?", text)
    return re.compile(text, re.IGNORECASE | re.DOTALL)


@pytest.fixture(scope="module")
def default_patterns():
    messages = _default_messages()
    # The libraries' defaults as they read them, e.g. "This field is required.".
    assert "This field is required." in messages
    assert "Ensure this value is greater than or equal to %(limit_value)s." in messages
    assert "The fields {field_names} must make a unique set." in messages
    return [(m, _pattern(m)) for m in messages]


SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
NOT_A_NUMBER = re.compile(r"\bnot a (valid )?number\b", re.IGNORECASE)


def problems(message: str, *, auto_labels: dict[str, str], scenario: str,
             default_patterns) -> list[str]:
    """What is wrong with one message, in words (empty when nothing is)."""
    found = []
    if SNAKE.search(message):
        found.append(f"names a field in snake_case ({SNAKE.search(message).group(0)})")
    for name, label in auto_labels.items():
        if label.lower() in message.lower():
            found.append(f"names the field {name!r} by its code name ({label!r})")
    for default, pattern in default_patterns:
        if pattern.fullmatch(message.strip()):
            found.append(f"is the library's default {default!r}")
            break
    if scenario == "negative" and NOT_A_NUMBER.search(message):
        found.append("calls a negative number not a number")
    return found


# --- finding every form and serializer -------------------------------------------------------
def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in info.name for part in (".migrations", ".management", ".tests")):
                continue
            yield importlib.import_module(info.name)


def product_classes() -> dict[str, type]:
    found = {}
    for module in _modules():
        for obj in vars(module).values():
            if (inspect.isclass(obj) and obj.__module__ == module.__name__
                    and issubclass(obj, forms.BaseForm | serializers.BaseSerializer)):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def test_finds_the_forms_and_serializers():
    found = product_classes()
    for name in ("fund.forms.RoundForm", "proposals.forms.ProposalForm",
                 "reviews.forms.ReviewForm", "rewards.forms.NominationForm",
                 "reviews.api.AssignmentCreateSerializer", "datafiles.steps.ImportForm",
                 "people.two_factor_views.CodeForm", "fund.admin.RoundAdminForm"):
        assert name in found
    assert len(found) > 60


# --- what a form needs to be made, from the factories -------------------------------------------
def _people():
    from people.factories import UserFactory

    return UserFactory(fund_manager=True), UserFactory()


def _constructor_args(name: str, manager, person) -> dict:
    from fund.factories import RoundFactory
    from reviews.factories import PanelFactory
    from reviews.models import Criterion

    def panel():
        made = PanelFactory()
        made.members.add(person)
        return made

    def criteria():
        round_ = RoundFactory()
        if not Criterion.objects.filter(round=round_).exists():
            Criterion.objects.create(round=round_, name="Impact", max_score=5)
        return list(Criterion.objects.filter(round=round_))

    table = {
        "reviews.forms.AssignForm": lambda: {"panel": panel(), "user": manager},
        "reviews.forms.DecisionForm": lambda: {
            "allowed": ("recommend", "reject", "request_revision")},
        "reviews.forms.ReviewForm": lambda: {"criteria": criteria()},
        "reviews.forms.StandInForm": lambda: {"candidates": [person]},
        "reviews.rubric_forms.CriterionForm": lambda: {"round_": RoundFactory()},
        "rewards.forms.LearningForm": lambda: {"user": person},
        "rewards.forms.NominationForm": lambda: {"user": manager, "nominee": person},
        "rewards.forms.RecognitionForm": lambda: {"user": manager},
        "proposals.views._RoundFilterForm": lambda: {"user": manager},
        "proposals.views.MineFilter": lambda: {"user": person},
        "proposals.views.QueueFilter": lambda: {"user": manager},
        "proposals.forms.ProposalForm": lambda: {"with_round": True},
        "fund.forms.FundForm": lambda: {"creating": True},
        "people.throttling.SignInForm": lambda: {"request": _sign_in_request()},
    }
    return table.get(name, dict)()


def _sign_in_request():
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/")
    request.session = SessionStore()
    return request


# --- bad input for each kind of field ----------------------------------------------------------
SCENARIOS = ("empty", "negative", "words", "too_long")
LONG = "x" * 100_001


def _bad_form_value(field: forms.Field, scenario: str):
    if scenario == "empty":
        return ""
    if isinstance(field, forms.FileField):
        return None  # files go in `files`
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return ""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return {"negative": ["-5"], "words": ["not-a-choice"], "too_long": ["999999999"]}[
            scenario]
    if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
        return {"negative": "-5", "words": "not-a-choice", "too_long": "999999999"}[scenario]
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return {"negative": "-5", "words": "a few", "too_long": "9" * 40}[scenario]
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return {"negative": "-5", "words": "31/31/2026", "too_long": "2026-02-30"}[scenario]
    if isinstance(field, forms.EmailField | forms.URLField | forms.SlugField):
        return {"negative": "-5", "words": "not an address!", "too_long": LONG}[scenario]
    return {"negative": "-5", "words": "a few words", "too_long": LONG}[scenario]


def _form_files(form, scenario):
    files = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField) and scenario != "empty":
            content = b"" if scenario == "negative" else b"x" * 10
            files[form.add_prefix(name)] = SimpleUploadedFile(f"{'x' * 300}.exe", content)
    return files


def _auto_labels_of_form(form) -> dict[str, str]:
    """Labels Django made from a field's name (the form chose none): "Min partner agencies"."""
    return {name: pretty_name(name) for name, field in form.fields.items()
            if field.label is None and "_" in name}


def _as_used(cls):
    """A model form on a swapped model (the admin's user form names auth.User) as the admin
    makes it: for the product's user model."""
    meta = getattr(cls, "_meta", None)
    if meta is not None and getattr(meta, "model", None) and meta.model._meta.swapped:
        from django.contrib.auth import get_user_model

        return forms.modelform_factory(get_user_model(), form=cls, fields=meta.fields)
    return cls


def form_messages(cls, kwargs: dict, scenario: str) -> tuple[list[str], dict[str, str]]:
    cls = _as_used(cls)
    blank = cls(**kwargs)
    data = {}
    for name, field in blank.fields.items():
        value = _bad_form_value(field, scenario)
        if value is not None:
            data[blank.add_prefix(name)] = value
    form = cls(data=data, files=_form_files(blank, scenario), **kwargs)
    form.is_valid()
    messages = [str(m) for errors in form.errors.values() for m in errors]
    form.errors.as_text()  # rendered as a page would (a broken message fails here)
    return messages, _auto_labels_of_form(form)


def _bad_api_value(field, scenario: str):
    if scenario == "empty":
        return ""
    if isinstance(field, api_fields.FileField):
        return SimpleUploadedFile("x.exe", b"" if scenario == "negative" else b"x")
    if isinstance(field, api_fields.BooleanField):
        return "perhaps"
    if isinstance(field, relations.ManyRelatedField | api_fields.ListField
                  | api_fields.MultipleChoiceField | serializers.ListSerializer):
        return {"negative": [-5], "words": "not a list", "too_long": [999999999]}[scenario]
    if isinstance(field, relations.RelatedField | api_fields.ChoiceField):
        return {"negative": -5, "words": "not-a-choice", "too_long": 999999999}[scenario]
    if isinstance(field, api_fields.IntegerField | api_fields.DecimalField
                  | api_fields.FloatField):
        return {"negative": -5, "words": "a few", "too_long": "9" * 40}[scenario]
    if isinstance(field, api_fields.DateField | api_fields.DateTimeField
                  | api_fields.TimeField):
        return {"negative": "-5", "words": "31/31/2026", "too_long": "2026-02-30"}[scenario]
    if isinstance(field, serializers.BaseSerializer):
        return {"negative": -5, "words": "not an object", "too_long": {"x": LONG}}[scenario]
    return {"negative": "-5", "words": "a few words", "too_long": LONG}[scenario]


def _flatten(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _flatten(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _flatten(value)]
    return [str(errors)]


def serializer_messages(cls, request, scenario: str) -> tuple[list[str], dict[str, str]]:
    context = {"request": request, "view": None}
    try:
        blank = cls(context=context)
        writable = {name: field for name, field in blank.fields.items() if not field.read_only}
    except Exception:  # a serializer only for answers, or one that needs more to list fields
        return [], {}
    data = {name: _bad_api_value(field, scenario) for name, field in writable.items()}
    serializer = cls(data=data, context=context)
    try:
        serializer.is_valid()
    except Exception as error:  # a validator that assumes a view: not a message
        if isinstance(error, AssertionError | AttributeError | KeyError | TypeError):
            return [], {}
        raise
    auto = {name: name.replace("_", " ") for name in writable if "_" in name}
    return _flatten(serializer.errors), auto


# --- the test --------------------------------------------------------------------------------
def _all_problems(default_patterns) -> dict[str, list[str]]:
    manager, person = _people()
    request = APIRequestFactory().post("/api/v1/")
    request.user = manager
    found: dict[str, list[str]] = {}
    for name, cls in sorted(product_classes().items()):
        if inspect.isabstract(cls) or name.rsplit(".", 1)[-1].startswith("_") and name not in (
                "proposals.views._RoundFilterForm",):
            continue
        for scenario in SCENARIOS:
            if issubclass(cls, forms.BaseForm):
                messages, auto = form_messages(cls, _constructor_args(name, manager, person),
                                               scenario)
            else:
                messages, auto = serializer_messages(cls, request, scenario)
            for message in messages:
                for problem in problems(message, auto_labels=auto, scenario=scenario,
                                        default_patterns=default_patterns):
                    found.setdefault(name, []).append(f"[{scenario}] “{message}” {problem}")
    return found


@pytest.mark.django_db
def test_every_message_is_in_the_funds_words(default_patterns, settings):
    settings.DEBUG = False
    found = {name: sorted(set(p)) for name, p in _all_problems(default_patterns).items()}
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines)
                       for name, lines in sorted(found.items()))
    assert not found, f"Messages not in the fund's words:\n{report}"


def test_the_check_catches_what_it_must(default_patterns):
    def bad(message, scenario="words", auto=None):
        return problems(message, auto_labels=auto or {}, scenario=scenario,
                        default_patterns=default_patterns)

    assert bad("This field is required.")
    assert bad("Ensure this value is greater than or equal to 0.01.")
    assert bad("Select a valid choice. 7 is not one of the available choices.")
    assert bad("Enter a whole number.")
    assert bad("Enter a valid date.")
    assert bad('"abc" is not a valid choice.')
    assert bad("This field must be unique.")
    assert bad("Fill in duration_months.")
    assert bad("Fill in “Duration months”.", auto={"duration_months": "Duration months"})
    assert bad("One amount is not a number.", scenario="negative")
    assert not bad("Fill in “Duration in months”.")
    assert not bad("Enter a date like 2026-12-31.")
    assert not bad("Enter 0.01 or more.")


@pytest.mark.django_db
def test_an_empty_field_is_named_by_its_label():
    from fund.forms import ContributionForm

    form = ContributionForm(data={"amount": "a lot"})
    assert not form.is_valid()
    assert form.errors["received_on"] == ["Fill in “Received on”."]
    assert form.errors["agency"] == ["Choose “Contributing agency”."]
    assert form.errors["amount"] == ["Enter an amount in figures, e.g. 250000."]


def test_a_forms_own_message_wins():
    from reviews.forms import ConflictForm

    form = ConflictForm(data={})
    assert form.errors["reason"] == ["Say what the conflict of interest is."]


def test_install_is_idempotent_and_covers_new_forms():
    from workflow.plain_messages import install

    install()
    install()

    class NewForm(forms.Form):
        when = forms.DateField(label="When")
        count = forms.IntegerField(label="How many", min_value=1)

    form = NewForm(data={"when": "tomorrow", "count": "0"})
    form.is_valid()
    assert form.errors["when"] == ["Enter a date like 2026-12-31."]
    assert form.errors["count"] == ["Enter 1 or more."]
    assert NewForm(data={}).errors["when"] == ["Fill in “When”."]

    class NewSerializer(serializers.Serializer):
        count = serializers.IntegerField(min_value=1)
        on = serializers.DateField()

    answer = NewSerializer(data={"count": "-1", "on": "tomorrow"})
    answer.is_valid()
    assert answer.errors["count"] == ["Enter 1 or more."]
    assert answer.errors["on"] == ["Enter a date like 2026-12-31."]
    from rest_framework.validators import UniqueTogetherValidator, UniqueValidator

    assert UniqueValidator.message == "This is already taken: choose another."
    assert "{field_names}" not in UniqueTogetherValidator.message
    assert NewSerializer(data={}).is_valid() is False
