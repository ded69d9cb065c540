"""Hooks for pages other apps own: similar earlier work on a proposal's page and its form, and
likely duplicates in the screening queue. Both read what was stored when the proposal was
submitted (search/services.py); only a proposal being drafted is searched as it is shown."""

from django import template

from proposals.models import Proposal, TeamMember

from ..selectors import likely_duplicates, similar_to, stored_similar_work

register = template.Library()

# States in which the team is drafting or has just submitted: when finding earlier work helps.
SIMILAR_STATES = (Proposal.State.DRAFT, Proposal.State.SUBMITTED,
                  Proposal.State.REVISION_REQUESTED)
# States in which the texts are still being written: searched when shown (one proposal, a
# bounded number of queries), since nothing is stored before the submission.
DRAFTING_STATES = (Proposal.State.DRAFT, Proposal.State.REVISION_REQUESTED)


def shows_similar_work(proposal, user) -> bool:
    """The lead and accepted team while drafting, revising or just submitted; an unconflicted
    view is not needed: what is shown is what `user` may see anyway."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if proposal is None or not proposal.pk or proposal.state not in SIMILAR_STATES:
        return False
    return proposal.lead_id == user.pk or any(
        m.user_id == user.pk and m.state == TeamMember.State.ACCEPTED for m in proposal.team.all())


@register.inclusion_tag("search/_similar.html", takes_context=True)
def similar_work(context, proposal, limit=5):
    """`{% similar_work proposal %}`: the earlier work most like it, for its team: searched
    while it is drafted, read from what was stored at its submission afterwards."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if not shows_similar_work(proposal, user):
        return {"similar": None}
    if proposal.state in DRAFTING_STATES:
        return {"similar": similar_to(proposal, user, limit=limit)}
    return {"similar": stored_similar_work(proposal, user, limit=limit)}


def shows_likely_duplicates(proposal, user) -> bool:
    """Who is told of likely duplicates, and when: a fund manager, while the proposal waits to
    be screened (submitted), as in the screening queue (proposals.views.queue). The earlier
    proposals named are those `user` may see (`likely_duplicates`)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_fund_manager
                and proposal is not None and proposal.pk
                and proposal.state == Proposal.State.SUBMITTED)


@register.inclusion_tag("search/_duplicates.html", takes_context=True)
def likely_duplicates_badge(context, proposal, page_proposals):
    """`{% likely_duplicates_badge proposal page.object_list %}` in a row: the stored
    duplicates of every proposal of the page are read once, on the first row (two queries),
    and kept for the others. Only the rows' ids are read."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    cache = context.render_context.setdefault("search_duplicates", {})
    rows = list(page_proposals)
    key = tuple(p.pk for p in rows)
    if key not in cache:
        cache[key] = likely_duplicates(rows, user)
    return {"duplicates": cache[key].get(proposal.pk, [])}


@register.inclusion_tag("search/_duplicates_notice.html", takes_context=True)
def likely_duplicates_notice(context, proposal):
    """`{% likely_duplicates_notice proposal %}` on the proposal's page: the same likely
    duplicates, for the same people and at the same time, as its row in the screening queue
    (two queries, only when shown)."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if not shows_likely_duplicates(proposal, user):
        return {"duplicates": []}
    return {"duplicates": likely_duplicates([proposal], user).get(proposal.pk, [])}
