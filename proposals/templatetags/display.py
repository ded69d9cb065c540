"""The `display` template library every page loads (`{% load display %}`, SCREENS.md): the
fund's formats for money, dates and states (workflow/display.py, on the ground floor) and
`{% history obj %}`, an object's history as the signed-in viewer may read it
(proposals/history.py), which needs the conflict-of-interest rule and so lives here."""

from django import template

from workflow import display as formats

from ..history import history_for

register = template.Library()

for _name in ("money", "day", "moment", "deadline", "words"):
    register.filter(_name, getattr(formats, _name))
register.simple_tag(formats.state_badge)


@register.inclusion_tag("workflow/history.html", takes_context=True)
def history(context, obj):
    """The object's history as the signed-in viewer may read it (`proposals.history`): the
    applicant reads roles, not the names of reviewers, chairs or fund managers."""
    request = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    return {"entries": history_for(viewer, obj)}
