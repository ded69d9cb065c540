"""Hooks for pages owned by other apps: similar earlier work on a proposal's page, and likely
duplicates in the screening queue (one bounded computation for the whole page)."""

from django import template

from proposals.models import Proposal, TeamMember

from ..selectors import likely_duplicates, similar_to

register = template.Library()

# States in which the team is drafting or has just submitted: when finding earlier work helps.
SIMILAR_STATES = (Proposal.State.DRAFT, Proposal.State.SUBMITTED,
                  Proposal.State.REVISION_REQUESTED)


def shows_similar_work(proposal, user) -> bool:
    """The lead and accepted team while drafting, revising or just submitted; an unconflicted
    view is not needed: what is shown is what `user` may see anyway."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if proposal.state not in SIMILAR_STATES:
        return False
    return proposal.lead_id == user.pk or any(
        m.user_id == user.pk and m.state == TeamMember.State.ACCEPTED for m in proposal.team.all())


@register.inclusion_tag("search/_similar.html", takes_context=True)
def similar_work(context, proposal, limit=5):
    """`{% similar_work proposal %}`: the earlier work most like it, for its team."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if not shows_similar_work(proposal, user):
        return {"similar": None}
    return {"similar": similar_to(proposal, user, limit=limit)}


@register.inclusion_tag("search/_duplicates.html", takes_context=True)
def likely_duplicates_badge(context, proposal, page_proposals):
    """`{% likely_duplicates_badge proposal page.object_list %}` in a row: the duplicates of
    every proposal of the page are found once, on the first row, and kept for the others."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    cache = context.render_context.setdefault("search_duplicates", {})
    key = id(page_proposals)
    if key not in cache:
        cache[key] = likely_duplicates(page_proposals, user)
    return {"duplicates": cache[key].get(proposal.pk, [])}
