"""Team membership by consent (DOMAIN.md, "Integrity rules" → "Consent").

Being named on someone else's proposal is an invitation: the invited person accepts or
declines it, an accepted member may leave at any time, and the lead invites and removes, only
while the proposal is a draft or a revision is requested. Invitations still open when the
proposal is submitted (or withdrawn) lapse. Rows are never deleted: a person who declined,
left or was removed may be invited again, on the same row. Every change is a logged
transition (`workflow.services.run_transition`); a brand-new invitation is logged as an
`invite` from no state. Accepting makes the person a party to the proposal, so it is
announced with `parties_changed` (the conflict rule is recomputed).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from people.models import User
from workflow.models import TransitionLog
from workflow.services import after_transition, run_transition

from ..conflicts import parties_changed
from ..models import Proposal, TeamMember
from ..permissions import HR_OFFICERS_DO_NOT_DRAFT, can_draft_proposals, why_not_team_member
from ..selectors import team_actions

__all__ = [
    "TEAM_MEMBER_TRANSITIONS",
    "team_actions",
    "team_invite",
    "team_member_accept",
    "team_member_decline",
    "team_member_leave",
    "team_member_remove",
]

S = TeamMember.State
# The team as it stands: people asked and not let go (declined, left, removed are history).
CURRENT_STATES = (S.INVITED, S.ACCEPTED)
LAPSED_ON_SUBMIT = "The invitation lapsed: the proposal was submitted before it was answered."
LAPSED_ON_WITHDRAW = "The invitation lapsed: the proposal was withdrawn."


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _team_is_open(proposal: Proposal) -> bool:
    return proposal.state in Proposal.EDITABLE_STATES


def _require_lead(actor, proposal: Proposal, doing: str) -> None:
    if not _signed_in(actor):
        raise PermissionDenied(gettext("Sign in first."))
    if proposal.lead_id != actor.pk:
        raise PermissionDenied(gettext("Only the proposal's lead %(doing)s.") % {"doing": doing})
    if not can_draft_proposals(actor):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)


def _require_team_open(proposal: Proposal) -> None:
    if not _team_is_open(proposal):
        raise ValidationError({"proposal": [
            gettext("This proposal is %(state)s; its team changes only "
                    "while it is a draft or a revision is requested.") % {
                "state": proposal.get_state_display().lower()}
        ]})


def _clean_role(role, user) -> str:
    role = str(role or "").strip()
    if len(role) > 200:
        raise ValidationError({"role": [gettext("Keep %(user)s's role under 200 characters.") % {
            "user": user}]})
    return role


def _clean_invitee(user, proposal: Proposal) -> User:
    if not isinstance(user, User) or not user.is_active:
        raise ValidationError({"user": [gettext("A team member was not found.")]})
    if user.pk == proposal.lead_id:
        raise ValidationError({"user": [
            gettext("%(user)s leads the proposal and need not be added to the team.") % {
                "user": user}
        ]})
    refused = why_not_team_member(user)
    if refused:
        raise ValidationError({"user": [refused]})
    return user


def _locked_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _locked_member(member: TeamMember) -> TeamMember:
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    member.proposal = Proposal.objects.select_related("lead").get(pk=member.proposal_id)
    return member


def invite(*, actor, proposal: Proposal, user: User, role: str, note: str = "") -> TeamMember:
    """Invite `user` (new row, or the old row again): the lead's checks are the caller's."""
    now = timezone.now()
    member = TeamMember.objects.select_for_update().filter(proposal=proposal, user=user).first()
    if member is None:
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(
                    proposal=proposal, user=user, role=role, invited_at=now
                )
        except IntegrityError:
            raise ValidationError({"user": [gettext("%(user)s is already invited to the team.") % {
                "user": user}]}) from None
        log = TransitionLog.objects.create(
            subject=member, transition="invite", from_state="", to_state=member.state,
            actor=actor, note=note,
        )
        after_transition(log)
        return member
    if member.state == S.INVITED:
        raise ValidationError({"user": [gettext("%(user)s is already invited to the team.") % {
            "user": user}]})
    if member.state == S.ACCEPTED:
        raise ValidationError({"user": [gettext("%(user)s is already on the team.") % {
            "user": user}]})
    member.role, member.invited_at = role, now
    run_transition(instance=member, name="invite", actor=actor, note=note)
    return member


def remove(*, actor, member: TeamMember, note: str = "") -> TeamMember:
    run_transition(instance=member, name="remove", actor=actor, note=note)
    return member


@transaction.atomic
def team_invite(*, actor: User, proposal: Proposal, user: User, role: str = "",
                note: str = "") -> TeamMember:
    """Only the lead invites, and only while the proposal is a draft or a revision is
    requested; never themselves. Someone who declined, left or was removed is invited again
    on the same row."""
    proposal = _locked_proposal(proposal)
    _require_lead(actor, proposal, "invites people to its team")
    _require_team_open(proposal)
    user = _clean_invitee(user, proposal)
    return invite(actor=actor, proposal=proposal, user=user, role=_clean_role(role, user),
                  note=note)


@transaction.atomic
def team_member_accept(*, actor: User, member: TeamMember, note: str = "") -> TeamMember:
    """The invited person accepts: from now on they hold a member's rights, count on records
    and are conflicted with the proposal for good (`accepted_at` is never cleared)."""
    member = _locked_member(member)
    if member.state == S.INVITED and member.user_id == getattr(actor, "pk", None):
        _require_team_open(member.proposal)
    member.accepted_at = timezone.now()
    run_transition(instance=member, name="accept", actor=actor, note=note)
    parties_changed.send(sender=Proposal, proposal=member.proposal, actor=actor)
    return member


@transaction.atomic
def team_member_decline(*, actor: User, member: TeamMember, note: str = "") -> TeamMember:
    """The invited person declines; the lead may invite them again later."""
    member = _locked_member(member)
    run_transition(instance=member, name="decline", actor=actor, note=note)
    return member


@transaction.atomic
def team_member_leave(*, actor: User, member: TeamMember, note: str = "") -> TeamMember:
    """An accepted member leaves, at any time. Their accepted past work stays on their record
    and they stay conflicted with the proposal."""
    member = _locked_member(member)
    run_transition(instance=member, name="leave", actor=actor, note=note)
    return member


@transaction.atomic
def team_member_remove(*, actor: User, member: TeamMember, note: str = "") -> TeamMember:
    """The lead removes an invitation or a member, only while the proposal is a draft or a
    revision is requested."""
    member = _locked_member(member)
    if member.state in CURRENT_STATES:
        _require_lead(actor, member.proposal, "removes people from its team")
        _require_team_open(member.proposal)
    return remove(actor=actor, member=member, note=note)


def lapse_open_invitations(proposal: Proposal, note: str) -> None:
    """Invitations nobody answered lapse (`declined`), by the system, when the proposal leaves
    drafting: nobody joins a proposal after it was submitted as it stood."""
    for member in TeamMember.objects.select_for_update().filter(proposal=proposal,
                                                                 state=S.INVITED):
        run_transition(instance=member, name="decline", actor=None, system=True, note=note)


# The rows' transitions run by name: the names `selectors.TEAM_ACTIONS` offers.
TEAM_MEMBER_TRANSITIONS = {
    "accept": team_member_accept,
    "decline": team_member_decline,
    "leave": team_member_leave,
    "remove": team_member_remove,
}
