"""`{% ranking_chart round ranked totals_shown %}`: the ranking against the funding line as a
chart (reviews/ranking_chart.py) for the ranking page or any page with its rows."""

from django import template
from django.utils.translation import gettext

from ..ranking_chart import ranking_chart as build

register = template.Library()


@register.inclusion_tag("charts/section.html")
def ranking_chart(round_, ranked, totals_shown):
    chart = build(round_=round_, ranked=ranked, totals_shown=totals_shown)
    return {
        "charts": [chart] if chart else [],
        "heading": (gettext("The ranking against the funding line") if totals_shown
                    else gettext("Mean scores")),
        "section_id": "ranking-chart",
    }
