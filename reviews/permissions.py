"""Who may see and do what in reviews: one function per object, used by pages and the API.

Blindness: a reviewer sees only their own assignments and, for a proposal, the other
reviews only after submitting their own, whatever other role they hold (a chair or fund
manager with an open assignment reads only their own review of that proposal); the applicant
sees comments to the applicant, without names or scores, once the panel has decided; HR
officers who are not fund managers see no scores, even if they were put on a panel. A role
never widens access to a proposal the user has a conflict of interest with.
"""

from enum import Enum

from proposals.conflicts import has_conflict
from proposals.models import Proposal

from .models import Assignment, Panel

# The panel has decided (or asked for a revision): the applicant may read the comments.
DECIDED_STATES = (
    Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED, Proposal.State.REJECTED,
    Proposal.State.FUNDED, Proposal.State.DECLINED, Proposal.State.OUTCOME_REPORTED,
    Proposal.State.CLOSED,
)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _on_proposal(user, proposal) -> bool:
    """The lead or an accepted team member: the applicants (an invitee is not one yet)."""
    return proposal.lead_id == user.pk or any(
        m.user_id == user.pk and m.state == m.State.ACCEPTED for m in proposal.team.all()
    )


def sees_scores(user) -> bool:
    """HR officers decide on careers and never see review scores, unless they also run the
    fund as fund managers."""
    return _active(user) and (user.is_fund_manager or not user.is_hr_officer)


def has_chair_duty(user, panel: Panel) -> bool:
    """The panel's chair, deputy chair, or a stand-in chair for one of its proposals."""
    if not _active(user):
        return False
    if user.pk in (panel.chair_id, panel.deputy_chair_id):
        return True
    return panel.stand_ins.filter(chair=user).exists()


def can_manage_panel(user, panel: Panel) -> bool:
    """The chair, deputy chair, stand-ins and fund managers manage a panel's assignments, each
    only on the proposals they may act on (`can_assign`)."""
    return _active(user) and (user.is_fund_manager or has_chair_duty(user, panel))


def can_view_panel(user, panel: Panel) -> bool:
    return can_manage_panel(user, panel) or (
        _active(user) and panel.members.filter(pk=user.pk).exists()
    )


def can_set_up_panel(user) -> bool:
    return _active(user) and user.is_fund_manager


def can_edit_rubric(user) -> bool:
    return _active(user) and user.is_fund_manager


def chairs_round(user, round_) -> bool:
    """Chair, deputy chair or stand-in chair of a panel of the round."""
    from .chairs import holds_chair_duty_in_round

    return _active(user) and holds_chair_duty_in_round(user, round_)


def can_view_ranking(user, round_) -> bool:
    """Scores by proposal: fund managers and the chairs of the round's panels."""
    return sees_scores(user) and (user.is_fund_manager or chairs_round(user, round_))


def can_view_assignment(user, assignment: Assignment) -> bool:
    """The reviewer; the panel's chair and fund managers when they have no conflict."""
    if not _active(user):
        return False
    if assignment.reviewer_id == user.pk:
        return True
    if has_conflict(user, assignment.proposal):
        return False
    if user.is_fund_manager:
        return True
    panel = assignment.panel
    if user.pk in (panel.chair_id, panel.deputy_chair_id):
        return True
    # A stand-in chair manages the one proposal they stand in for.
    return panel.stand_ins.filter(chair=user, proposal_id=assignment.proposal_id).exists()


def can_assign(user, panel: Panel, proposal) -> bool:
    """Assign reviewers to `proposal`: its acting chair, or a fund manager with no conflict
    with it (DOMAIN.md: the acting chair alone assigns, besides fund managers)."""
    from .chairs import is_acting_chair

    if not _active(user) or has_conflict(user, proposal):
        return False
    # Administrators step in when every fund manager is conflicted (the admin is their tool).
    return user.is_fund_manager or user.is_superuser or is_acting_chair(user, proposal)


class ReviewAccess(Enum):
    """How much of a proposal's reviews a viewer may read."""

    NONE = "none"  # nothing (yet)
    APPLICANT = "applicant"  # comments to the applicant, no names, no scores
    OWN = "own"  # a reviewer before submitting: their own review only
    PANEL = "panel"  # everything: names, scores, comments to the panel


def review_access(user, proposal) -> ReviewAccess:
    """The one rule for reading a proposal's reviews (the caller checks it may see the proposal).

    The user's own open assignment comes before any role: until they submit, a chair or fund
    manager who also reviews the proposal reads only their own review."""
    if not _active(user):
        return ReviewAccess.NONE
    decided = proposal.state in DECIDED_STATES
    if _on_proposal(user, proposal):
        return ReviewAccess.APPLICANT if decided else ReviewAccess.NONE
    # Before any role: a conflicted viewer sees nothing of the review (DOMAIN.md), an HR
    # officer as much as a fund manager (found by an outsider's attack: an HR officer of the
    # lead's agency read every comment to the applicant).
    if has_conflict(user, proposal):
        return ReviewAccess.NONE
    if not sees_scores(user):
        return ReviewAccess.APPLICANT if decided else ReviewAccess.NONE
    mine = Assignment.objects.filter(proposal=proposal, reviewer=user).first()
    if mine is not None and mine.state == Assignment.State.CONFLICT:
        return ReviewAccess.NONE  # a declared conflict: no role widens it
    if mine is not None and mine.state == Assignment.State.ASSIGNED:
        return ReviewAccess.OWN
    if user.is_fund_manager or chairs_round(user, proposal.round):
        return ReviewAccess.PANEL
    if mine is not None and mine.state == Assignment.State.SUBMITTED:
        return ReviewAccess.PANEL
    return ReviewAccess.NONE
