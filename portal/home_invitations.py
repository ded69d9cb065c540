"""The home page's invitations (SCREENS.md: a civil servant's home opens with "invitations to
join a team or co-author a learning"). Being named on someone else's work is an invitation
(DOMAIN.md, "Consent"): here the person answers it.

One bounded list per kind, with a count that stops at `home.COUNT_BOUND` ("100+"), so the
section runs the same number of queries however many invitations wait, each reading a few rows.
"""

from django.utils.translation import gettext_lazy as _

from .home import counted_section, empty_section, joined_section


def invitations_section(user, *, may_wait: bool = True) -> dict:
    """Open invitations to `user`: to join a proposal's team (while the proposal is a draft or
    a revision is requested) and to co-author a learning; oldest first. `may_wait=False`: the
    person has no invitation waiting at all (`home.what_may_wait`), so none is asked."""
    from proposals.selectors import open_invitations_for
    from rewards.models import LearningAuthor

    answers = [("accept", _("Accept")), ("decline", _("Decline"))]
    if not may_wait:
        return {"team": empty_section(), "learnings": empty_section(), "count": 0,
                "count_label": "0", "answers": answers}

    team = counted_section(
        open_invitations_for(user)
        .select_related("proposal__lead__agency", "proposal__round")
        .order_by("invited_at", "id")
    )
    learnings = counted_section(
        LearningAuthor.objects.filter(user=user, state=LearningAuthor.State.INVITED)
        .select_related("learning__created_by")
        .order_by("invited_at", "id")
    )
    both = joined_section(team, learnings)
    return {"team": team, "learnings": learnings, "count": both["count"],
            "count_label": both["count_label"],
            "answers": answers}
