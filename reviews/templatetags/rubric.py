"""`{% rubric_editable round as editable %}`: whether the viewer may change the round's rubric
now (a fund manager, before the round's first review is submitted), for the round page's link."""

from django import template

from reviews.permissions import can_edit_rubric
from reviews.rubric_forms import rubric_lock_reason

register = template.Library()


@register.simple_tag(takes_context=True)
def rubric_editable(context, round_) -> bool:
    user = getattr(context.get("request"), "user", None)
    return can_edit_rubric(user) and rubric_lock_reason(round_) is None
