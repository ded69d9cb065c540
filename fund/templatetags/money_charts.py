"""The fund's money as charts (fund/money_charts.py), for any page: `{% load money_charts %}`
then `{% fund_money_charts fund by_agency %}` or
`{% award_release_chart award released returned currency %}`."""

from django import template
from django.utils.translation import gettext

from .. import money_charts

register = template.Library()


@register.inclusion_tag("charts/section.html")
def fund_money_charts(fund, by_agency=None):
    return {
        "charts": money_charts.fund_money_charts(fund=fund, by_agency=by_agency),
        "heading": gettext("The money at a glance"), "section_id": "money-charts",
        "intro": gettext("What the agencies put in and where the money is now; each list gives "
                         "the figures in words."),
    }


@register.inclusion_tag("charts/section.html")
def award_release_chart(award, released, returned, currency):
    return {
        "charts": [money_charts.award_release_chart(
            award=award, released=released, returned=returned, currency=currency)],
        "heading": gettext("Money released so far"), "section_id": "release-chart",
    }
