"""A chart's SVG numbers are written unlocalised (`{% localize off %}` in charts/chart.html,
issue 16: a localised number per coordinate was a sixth of the ranking page): the same HTML
as localised in each language, and no thousands separator inside the SVG even where the
settings would group digits."""

from decimal import Decimal

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from workflow.charts import bar_chart

_SOURCE = engines["django"].engine.find_template("charts/chart.html")[0].origin.name
with open(_SOURCE, encoding="utf-8") as source:  # the template as it was: numbers localised
    LOCALISED = engines["django"].from_string(
        source.read().replace("{% localize off %}", "").replace("{% endlocalize %}", ""))


def _chart():
    rows = [(f"Proposal {n}", Decimal(n * 1234.5), "") for n in range(1, 8)]
    return bar_chart(title="Scores", description="Scores by proposal", rows=rows,
                     line=(Decimal("5000"), "Funding line"))


@pytest.mark.parametrize("language", ["en-gb", "dz"])
def test_same_html_as_localised(language):
    chart = _chart()
    with translation.override(language):
        quick = render_to_string("charts/chart.html", {"chart": chart})
        localised = LOCALISED.render({"chart": chart})
    assert quick == localised
    assert "<rect" in quick


def test_no_thousands_separator_in_the_svg(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    chart = _chart()
    chart.width = 1200
    with translation.override("en-gb"):
        html = render_to_string("charts/chart.html", {"chart": chart})
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'viewBox="0 0 1200 ' in svg
