"""Who may see and change a proposal: one function each, used by pages, API, files and PDFs."""

from .models import Proposal


def _on_proposal(user, proposal: Proposal) -> bool:
    return proposal.lead_id == user.pk or any(m.user_id == user.pk for m in proposal.team.all())


def can_view_proposal(user, proposal: Proposal) -> bool:
    """Lead and team always; fund managers and HR officers once submitted (never a draft,
    nor a draft its lead withdrew); reviewers only what they are assigned (and not
    conflicted on); chairs what went to review in their round, unless conflicted.
    `proposals.selectors.proposals_visible_to` applies the same rule to lists."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if _on_proposal(user, proposal):
        return True
    if proposal.state == Proposal.State.DRAFT:
        return False
    from .selectors import proposals_visible_to

    return proposals_visible_to(user).filter(pk=proposal.pk).exists()


def can_edit_proposal(user, proposal: Proposal) -> bool:
    """The lead and team edit a proposal while it is a draft or a revision is requested."""
    return (
        bool(user and user.is_authenticated and user.is_active)
        and proposal.state in Proposal.EDITABLE_STATES
        and _on_proposal(user, proposal)
    )
