"""`QuickSelect` (workflow/widgets.py) writes exactly the HTML of Django's `Select` templates,
and the list pages' filters use it (issue 16)."""

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.models import Agency
from portal.all_proposals import AllProposalsFilter
from proposals.views import MineFilter, QueueFilter
from workflow.widgets import QuickSelect

CHOICES = [
    ("", gettext_lazy("All states")),
    ("draft", gettext_lazy("Draft")),
    ("a&b", 'Tom & "Jerry" <b>'),
    (3, "Three"),
    ("safe", mark_safe("<em>safe</em>")),
]
GROUPED = [
    ("", "None"),
    ("Fruit & veg", [("apple", "Apple"), ("pear", "Pear <ripe>")]),
    ("Tools", [(1, "Hammer"), (2, "Saw")]),
]


def _both(choices, name, value, attrs=None, widget_attrs=None):
    quick = QuickSelect(choices=choices, attrs=widget_attrs).render(name, value, attrs)
    django = forms.Select(choices=choices, attrs=widget_attrs).render(name, value, attrs)
    return quick, django


@pytest.mark.parametrize("value", [None, "", "draft", "a&b", 3, "3", "unknown"])
def test_flat_choices_same_html(value):
    quick, django = _both(CHOICES, "state", value, attrs={"id": "id_state"})
    assert quick == django
    assert "<option" in quick


@pytest.mark.parametrize("value", [None, "pear", 2])
def test_groups_same_html(value):
    quick, django = _both(GROUPED, "thing", value, attrs={"id": "id_thing", "class": "a&b"},
                          widget_attrs={"required": True, "disabled": False,
                                        "data-x": mark_safe("<x>")})
    assert quick == django
    assert "<optgroup" in quick


def test_in_dzongkha_same_html():
    with translation.override("dz"):
        quick, django = _both(CHOICES, "state", "draft")
    assert quick == django


@pytest.mark.django_db
def test_model_choices_same_html():
    AgencyFactory(name="Ministry & <Health>", code="MOH")
    AgencyFactory(name="Ministry of Finance", code="MOF")
    field = forms.ModelChoiceField(queryset=Agency.objects.order_by("name"),
                                   empty_label="All agencies")
    chosen = Agency.objects.order_by("name").first().pk
    quick = QuickSelect(choices=field.choices).render("agency", chosen, {"id": "id_agency"})
    django = forms.Select(choices=field.choices).render("agency", chosen, {"id": "id_agency"})
    assert quick == django
    assert "Ministry &amp; &lt;Health&gt;" in quick


def test_other_templates_left_to_django():
    class Custom(QuickSelect):
        option_template_name = "django/forms/widgets/select_option.html"
        template_name = "django/forms/widgets/select.html"

    assert Custom(choices=CHOICES).render("s", "draft") == forms.Select(
        choices=CHOICES).render("s", "draft")
    odd = [("1", 1), ("2", 2)]  # labels that are not text: Django's templates localise them
    assert QuickSelect(choices=odd).render("n", "1") == forms.Select(choices=odd).render("n", "1")


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [AllProposalsFilter, MineFilter, QueueFilter])
def test_list_filters_render_as_django_would(form_class):
    AgencyFactory(name="Ministry of <Works>", code="MOW")
    RoundFactory(title="Round & <one>")
    RoundFactory(title="Round two")
    form = form_class({"state": "submitted"}, user=UserFactory(fund_manager=True))
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.Select):
            assert isinstance(field.widget, QuickSelect), name
            quick = str(form[name])
            field.widget.__class__ = forms.Select  # this form's own copy of the widget
            assert str(form[name]) == quick, name
            assert quick.count("<option") >= 2, name
