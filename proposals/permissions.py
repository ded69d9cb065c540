"""Who may see and change a proposal: one function each, used by pages, API, files and PDFs."""

from django.utils.translation import gettext, gettext_lazy

from .models import Proposal, TeamMember


def _on_proposal(user, proposal: Proposal) -> bool:
    """The lead or an accepted team member: only they hold a member's rights (DOMAIN.md,
    "Consent"). Iterates `team.all()` so a prefetched team costs no query."""
    return proposal.lead_id == user.pk or any(
        m.user_id == user.pk and m.state == TeamMember.State.ACCEPTED for m in proposal.team.all()
    )


def is_invited(user, proposal: Proposal) -> bool:
    """`user` has an open invitation to the proposal's team: they may read it, to decide."""
    return any(
        m.user_id == user.pk and m.state == TeamMember.State.INVITED for m in proposal.team.all()
    )


def can_view_proposal(user, proposal: Proposal) -> bool:
    """Lead and accepted team always, and a person invited to the team while the invitation
    is open (to decide; they change nothing); fund managers and HR officers once submitted
    (never a draft, nor a draft its lead withdrew); reviewers only what they are assigned (and
    not conflicted on); chairs what went to review in their round, unless conflicted.
    `proposals.selectors.proposals_visible_to` applies the same rule to lists."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if _on_proposal(user, proposal) or is_invited(user, proposal):
        return True
    if proposal.state == Proposal.State.DRAFT:
        return False
    from .selectors import proposals_visible_to

    return proposals_visible_to(user).filter(pk=proposal.pk).exists()


HR_OFFICERS_DO_NOT_DRAFT = gettext_lazy(
    "HR officers decide on innovation records and nominations, so they do not draft or "
    "change proposals."
)


def can_draft_proposals(user) -> bool:
    """Every active user is a civil servant who may draft, except an HR officer (who is not
    also a fund manager): the people who judge innovation records do not build their own
    through the fund, and an HR officer changes nothing (issue 2). The API's
    `NoWritesByHROfficers` applies the same rule."""
    return bool(user and user.is_authenticated and user.is_active) and not (
        user.is_hr_officer and not user.is_fund_manager
    )


def why_not_team_member(user) -> str | None:
    """Why `user` may not be asked onto a proposal's team, in the fund's words, or None if they
    may: a team member edits the proposal, so only someone who may draft (not an HR officer,
    `can_draft_proposals`) and who belongs to an agency (a colleague, not the system's
    administrator account) joins. The people search, the team form and the services that
    invite (`services.team`, `services.drafting`) all ask this."""
    if not (user and user.is_authenticated and user.is_active):
        return gettext("A team member was not found.")
    if not can_draft_proposals(user):
        return gettext("%(user)s is an HR officer and cannot join a proposal's team.") % {
            "user": user}
    if not user.agency_id:
        return gettext("%(user)s belongs to no agency and cannot join a proposal's team.") % {
            "user": user}
    return None


def can_join_team(user) -> bool:
    return why_not_team_member(user) is None


def can_edit_proposal(user, proposal: Proposal) -> bool:
    """The lead and accepted team members edit a proposal while it is a draft or a revision
    is requested (an invitee does not); an HR officer never does (`can_draft_proposals`)."""
    return (
        can_draft_proposals(user)
        and proposal.state in Proposal.EDITABLE_STATES
        and _on_proposal(user, proposal)
    )
