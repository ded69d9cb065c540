"""`{% chart_shapes %}` draws exactly what chart.html's loop over the shapes drew, for every
kind of chart (bars with a reference line, stacked, progress), values escaped, numbers never
localised (inside `{% localize off %}`), in each language."""

import pytest
from django.template import Context, Template
from django.utils import translation

from workflow import charts

LOOP = Template(
    '{% load l10n %}{% localize off %}{% for shape in chart.shapes %}'
    '{% if chart.kind == "bars" %}\n  <text x="{{ chart.label_x }}" y="{{ shape.text_y }}" '
    'text-anchor="end" font-size="13" fill="#1b1f23">{% if shape.label != shape.short_label %}'
    '<title>{{ shape.label }}</title>{% endif %}{{ shape.short_label }}</text>{% endif %}'
    '\n  <rect x="{{ shape.x }}" y="{{ shape.y }}" width="{{ shape.width }}" '
    'height="{{ shape.height }}" fill="url(#{{ chart.uid }}-p{{ shape.series.index }})" '
    'stroke="{% if shape.series.pattern == \'empty\' %}#4a5561{% else %}#ffffff{% endif %}" '
    'stroke-width="1"/>{% if chart.kind == "bars" %}\n  <text x="{{ shape.text_x }}" '
    'y="{{ shape.text_y }}" font-size="12" fill="#1b1f23">{{ shape.value_text }}</text>'
    '{% endif %}{% endfor %}{% endlocalize %}')
TAG = Template("{% load l10n charts %}{% localize off %}{% chart_shapes chart %}{% endlocalize %}")


def _charts():
    rows = [("<b>R&D</b> agency", 1234.5, "1,234.5"), ("Two", 0, "0"), ("Three", 99, "99"),
            ("Ministry of <Information> and Communications", 7, "7")]
    yield charts.bar_chart(title="t", description="d", rows=rows)
    yield charts.bar_chart(title="t", description="d", rows=rows,
                           line=(500, "Budget"))
    yield charts.bar_chart(title="t", description="d", rows=rows, same_series=True)
    parts = [("Released", 300, "300"), ("Scheduled", 200.25, "200.25"), ("Cancelled", 0, "0")]
    yield charts.stacked_bar(title="t", description="d", parts=parts)
    yield charts.progress_bar(title="t", description="d", parts=parts, total=1000,
                              rest_label="Left", rest_text="499.75")


@pytest.mark.parametrize("language", ["en-gb", "dz"])
def test_the_shapes_are_the_loops_shapes(language):
    drawn = 0
    with translation.override(language):
        for chart in _charts():
            context = Context({"chart": chart})
            html = TAG.render(context)
            assert html == LOOP.render(context)
            assert "<b>" not in html and "<Information>" not in html
            drawn += html.count("<rect")
    assert drawn >= 8


def test_a_label_cut_short_carries_its_whole_text():
    chart = charts.bar_chart(title="t", description="d", rows=[
        ("Ministry of Information and Communications", 7, "7"), ("Short", 1, "1")])
    html = TAG.render(Context({"chart": chart}))
    assert "<title>Ministry of Information and Communications</title>Ministry of Informa" in html
    assert "<title>Short</title>" not in html
