"""`{% proposal_stepper proposal %}`: where a proposal is in its life, with dates
(proposals/stepper.py), drawn by templates/proposals/_stepper.html."""

from django import template

from ..stepper import proposal_steps

register = template.Library()


@register.inclusion_tag("proposals/_stepper.html")
def proposal_stepper(proposal, log=None):
    """The steps of `proposal`; `log` is its transition log when the page already read it."""
    return {"proposal": proposal, "steps": proposal_steps(proposal, log)}
