"""`{% figure_rows %}` makes exactly the rows the template's nested loops made, for every
figure's tables, public or not, in each language (values localised and escaped alike)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from analytics.figures import BUILDERS, FIGURES, PUBLIC_FIGURES

pytestmark = pytest.mark.django_db

LOOPS = Template(
    '{% load i18n figure_tables %}{% for row in table.cells %}<tr>{% for value in row %}'
    '{% if forloop.first %}<th scope="row">{{ value }}</th>{% else %}'
    '<td{% if value is None or value|numeric %} class="num"{% endif %}>{% if value is None %}'
    '{% if public %}<span class="muted">{% translate "not shown" %}</span>{% else %}–{% endif %}'
    '{% else %}{{ value }}{% endif %}</td>{% endif %}{% endfor %}</tr>\n  {% endfor %}')
TAG = Template("{% load figure_tables %}{% figure_rows table public %}")


@pytest.mark.parametrize("language", ["en-gb", "dz"])
def test_the_rows_are_the_loops_rows(world, language):
    manager = world["manager"]
    seen = 0
    with translation.override(language):
        for public in (False, True):
            for key in PUBLIC_FIGURES if public else FIGURES:
                for chosen in ({}, {"round": world["r1"]}):
                    figure = BUILDERS[key](viewer=None if public else manager, chosen=chosen,
                                           public=public)
                    for table in figure.tables:
                        context = Context({"table": table, "public": public})
                        assert TAG.render(context) == LOOPS.render(context), (key, public)
                        seen += bool(table.rows)
    assert seen >= 10


def test_a_value_is_escaped_and_a_missing_one_said(world):
    from types import SimpleNamespace

    table = SimpleNamespace(cells=[["<b>R&D</b>", None, 1234567, 2.5, "Fund one"]])
    for public in (False, True):
        context = Context({"table": table, "public": public})
        html = TAG.render(context)
        assert html == LOOPS.render(context)
        assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in html and "<b>" not in html
        assert ("not shown" in html) is public
        assert "<td>Fund one</td>" in html and '<td class="num">2' in html  # text, numbers


@pytest.mark.parametrize("language", ["en-gb", "dz"])
@pytest.mark.parametrize("data", [None, {}, {"fund": "1"}, {"round": "x"}, {"agency": "<b>"},
                                  {"fund": "1", "round": "1", "agency": "1"}])
def test_the_filter_selects_are_djangos_own_html(world, language, data):
    """The filter form's selects (analytics.filters.QuickSelect) make what Django's select
    templates make, for every field, chosen or not, valid or not, in each language."""
    from django import forms

    from analytics.filters import AnalyticsFilter, QuickSelect

    ids = {"1": str(world["funds"][0].pk)}
    if data:
        data = {k: ids.get(v, v) if k == "fund" else (
            str(world["r1"].pk) if k == "round" and v == "1" else (
                str(world["agencies"]["A"].pk) if k == "agency" and v == "1" else v))
            for k, v in data.items()}
    with translation.override(language):
        for public in (False, True):
            form = AnalyticsFilter(data, public=public)
            form.is_valid()
            for name in ("fund", "round", "agency"):
                bound = form[name]
                assert isinstance(bound.field.widget, QuickSelect)
                django_select = forms.Select(choices=bound.field.widget.choices)
                django_select.is_required = bound.field.widget.is_required
                ours = bound.as_widget()
                theirs = bound.as_widget(widget=django_select)
                assert ours == theirs, name
                assert "<option" in ours
