"""`{% chart c %}`: a chart of workflow/charts.py drawn as accessible SVG with its text
alternative beside it (templates/charts/chart.html). Any page may use it:
`{% load charts %}{% chart some_chart %}`."""

from django import template

register = template.Library()


@register.inclusion_tag("charts/chart.html")
def chart(chart):
    return {"chart": chart}
