"""`state_badge` (workflow/display.py) reads a state's label from a table per model instead of
`get_state_display` (issue 16): the same badge for every state of every model, in each
language."""

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.html import format_html

from workflow.display import state_badge


def _models_with_states():
    for model in apps.get_models():
        try:
            field = model._meta.get_field("state")
        except FieldDoesNotExist:
            continue
        if field.choices:
            yield model, [value for value, _label in field.flatchoices]


MODELS = list(_models_with_states())


def test_the_models_with_states_are_found():
    names = {model.__name__ for model, _ in MODELS}
    assert {"Proposal", "Assignment"} <= names


@pytest.mark.parametrize("language", ["en-gb", "dz"])
@pytest.mark.parametrize(("model", "states"), MODELS, ids=[m.__name__ for m, _ in MODELS])
def test_badge_has_the_state_label(model, states, language):
    with translation.override(language):
        for state in [*states, "no-such-state"]:
            obj = model(state=state)
            expected = format_html('<span class="badge badge-{}">{}</span>', state,
                                   obj.get_state_display())
            assert state_badge(obj) == expected


def test_badge_without_a_model():
    class Thing:
        state = "odd"

    assert state_badge(Thing()) == '<span class="badge badge-odd">odd</span>'
