"""`{% chart c %}`: a chart of workflow/charts.py drawn as accessible SVG with its text
alternative beside it (templates/charts/chart.html). Any page may use it:
`{% load charts %}{% chart some_chart %}`."""

from django import template

register = template.Library()


@register.inclusion_tag("charts/chart.html")
def chart(chart):
    return {"chart": chart}


@register.simple_tag(takes_context=True)
def chart_shapes(context, chart) -> str:
    """The chart's bars or segments (and a bar chart's labels and values) as SVG, made in one
    pass: exactly what chart.html's loop over `chart.shapes` made, each value rendered as
    `{{ value }}` renders it in that context (inside `{% localize off %}`: plain numbers),
    without template nodes per shape (tested against the loop, tests/workflow/
    test_chart_shapes.py). A label cut short for the chart carries its whole text as the
    SVG `<title>` of its text (shown on pointing at it; the list beside has it too). Every
    value is escaped."""
    from django.template.base import render_value_in_context
    from django.utils.safestring import mark_safe

    def v(value) -> str:
        return render_value_in_context(value, context)

    bars = chart.kind == "bars"
    out = []
    for shape in chart.shapes:
        if bars:
            out.append(f'\n  <text x="{v(chart.label_x)}" y="{v(shape.text_y)}" '
                       f'text-anchor="end" font-size="13" fill="#1b1f23">'
                       + (f"<title>{v(shape.label)}</title>" if shape.label != shape.short_label
                          else "")
                       + f"{v(shape.short_label)}</text>")
        stroke = "#4a5561" if shape.series.pattern == "empty" else "#ffffff"
        out.append(f'\n  <rect x="{v(shape.x)}" y="{v(shape.y)}" width="{v(shape.width)}" '
                   f'height="{v(shape.height)}" fill="url(#{v(chart.uid)}-p'
                   f'{v(shape.series.index)})" stroke="{stroke}" stroke-width="1"/>')
        if bars:
            out.append(f'\n  <text x="{v(shape.text_x)}" y="{v(shape.text_y)}" font-size="12" '
                       f'fill="#1b1f23">{v(shape.value_text)}</text>')
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
