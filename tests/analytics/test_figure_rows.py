"""`{% figure_rows %}` makes exactly the rows the template's nested loops made, for every
figure's tables, public or not, in each language (values localised and escaped alike)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from analytics.figures import BUILDERS, FIGURES, PUBLIC_FIGURES

pytestmark = pytest.mark.django_db

LOOPS = Template(
    '{% load i18n %}{% for row in table.cells %}<tr>{% for value in row %}{% if forloop.first %}'
    '<th scope="row">{{ value }}</th>{% else %}<td class="num">{% if value is None %}'
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

    table = SimpleNamespace(cells=[["<b>R&D</b>", None, 1234567, 2.5]])
    for public in (False, True):
        context = Context({"table": table, "public": public})
        html = TAG.render(context)
        assert html == LOOPS.render(context)
        assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in html and "<b>" not in html
        assert ("not shown" in html) is public
