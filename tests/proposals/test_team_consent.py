"""Team membership by consent (DOMAIN.md, "Consent"): the lead invites, the invited person
answers, a member may leave, the lead removes; rows are never deleted; only accepted members
hold rights. Each test would pass someone onto a team, or let them act, on the old code."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from people.factories import AgencyFactory, UserFactory
from proposals import rules
from proposals.conflicts import has_conflict, parties_changed
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal, TeamMember
from proposals.permissions import can_edit_proposal, can_view_proposal
from proposals.selectors import my_proposals, proposals_visible_to
from proposals.services import (
    attachment_add,
    proposal_create,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
    team_invite,
    team_member_accept,
    team_member_decline,
    team_member_leave,
    team_member_remove,
)
from reviews.models import Panel
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict, history

pytestmark = pytest.mark.django_db

S = TeamMember.State


def _fresh(member) -> TeamMember:
    return TeamMember.objects.get(pk=member.pk)


@pytest.fixture
def announced():
    """The `parties_changed` announcements made during the test."""
    heard = []

    def receiver(sender, proposal, actor, **kwargs):
        heard.append((proposal.pk, actor))

    parties_changed.connect(receiver, dispatch_uid="test-team-consent")
    yield heard
    parties_changed.disconnect(dispatch_uid="test-team-consent")


# --- inviting ---------------------------------------------------------------------------------
def test_the_lead_invites_and_nobody_is_on_the_team_until_they_accept():
    proposal = ProposalFactory(ready=True)
    colleague = UserFactory()
    member = team_invite(actor=proposal.lead, proposal=proposal, user=colleague, role="Data")
    assert (member.state, member.role, member.accepted_at) == (S.INVITED, "Data", None)
    assert member.invited_at is not None
    [log] = history(member)
    assert (log.transition, log.from_state, log.to_state, log.actor) == (
        "invite", "", "invited", proposal.lead)
    assert not rules.is_lead_or_team(proposal, colleague)
    assert proposal not in my_proposals(user=colleague)


@pytest.mark.parametrize("who", ["member", "invitee", "stranger", "fund_manager", "chair"])
def test_only_the_lead_invites(who):
    proposal = ProposalFactory(ready=True)
    chair = UserFactory()
    Panel.objects.create(round=proposal.round, name="Panel", chair=chair)
    actor = {
        "member": TeamMemberFactory(proposal=proposal).user,
        "invitee": TeamMemberFactory(proposal=proposal, invited=True).user,
        "stranger": UserFactory(), "fund_manager": UserFactory(fund_manager=True),
        "chair": chair,
    }[who]
    before = TeamMember.objects.count()
    with pytest.raises(PermissionDenied):
        team_invite(actor=actor, proposal=proposal, user=UserFactory(), role="x")
    assert TeamMember.objects.count() == before


def test_the_lead_cannot_invite_themselves_nor_twice():
    proposal = ProposalFactory(ready=True)
    with pytest.raises(ValidationError) as error:
        team_invite(actor=proposal.lead, proposal=proposal, user=proposal.lead)
    assert "leads the proposal" in error.value.message_dict["user"][0]
    colleague = UserFactory()
    team_invite(actor=proposal.lead, proposal=proposal, user=colleague)
    with pytest.raises(ValidationError):
        team_invite(actor=proposal.lead, proposal=proposal, user=colleague)
    assert proposal.team.count() == 1


@pytest.mark.parametrize("state", ["submitted", "in_review", "funded", "withdrawn"])
def test_the_team_changes_only_while_draft_or_revision_requested(state):
    proposal = ProposalFactory(**{state: True})
    member = TeamMemberFactory(proposal=proposal)
    with pytest.raises(ValidationError) as error:
        team_invite(actor=proposal.lead, proposal=proposal, user=UserFactory())
    assert "its team changes only while" in error.value.message_dict["proposal"][0]
    with pytest.raises(ValidationError):
        team_member_remove(actor=proposal.lead, member=member)
    assert _fresh(member).state == S.ACCEPTED
    assert proposal.team.count() == 1


def test_a_revision_requested_proposal_takes_invitations():
    proposal = ProposalFactory(revision_requested=True)
    member = team_invite(actor=proposal.lead, proposal=proposal, user=UserFactory())
    assert member.state == S.INVITED


# --- answering ----------------------------------------------------------------------------------
def test_the_invited_person_accepts_and_the_conflict_is_announced(announced):
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, invited=True)
    assert not has_conflict(member.user, Proposal.objects.get(pk=proposal.pk))
    team_member_accept(actor=member.user, member=member, note="Happy to")
    fresh = _fresh(member)
    assert fresh.state == S.ACCEPTED and fresh.accepted_at is not None
    assert announced == [(proposal.pk, member.user)]
    assert rules.is_lead_or_team(proposal, member.user)
    assert has_conflict(member.user, proposal)
    assert [log.transition for log in history(member)] == ["accept"]


@pytest.mark.parametrize("name", ["accept", "decline"])
def test_nobody_answers_for_the_invited_person(name, announced):
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, invited=True)
    service = {"accept": team_member_accept, "decline": team_member_decline}[name]
    for actor in (proposal.lead, TeamMemberFactory(proposal=proposal).user, UserFactory(),
                  UserFactory(fund_manager=True)):
        with pytest.raises(PermissionDenied):
            service(actor=actor, member=member)
    assert _fresh(member).state == S.INVITED
    assert announced == []
    assert not TransitionLog.objects.exists()


def test_declining_then_being_invited_again_reuses_the_row():
    proposal = ProposalFactory(ready=True)
    colleague = UserFactory()
    member = team_invite(actor=proposal.lead, proposal=proposal, user=colleague, role="A")
    team_member_decline(actor=colleague, member=member)
    assert _fresh(member).state == S.DECLINED
    with pytest.raises(TransitionStateConflict):
        team_member_accept(actor=colleague, member=member)
    again = team_invite(actor=proposal.lead, proposal=proposal, user=colleague, role="B")
    assert again.pk == member.pk and _fresh(member).state == S.INVITED
    assert _fresh(member).role == "B"
    assert [log.transition for log in history(member)] == ["invite", "decline", "invite"]


def test_an_accepted_member_leaves_and_stays_conflicted():
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal)
    with pytest.raises(PermissionDenied):
        team_member_leave(actor=proposal.lead, member=member)
    team_member_leave(actor=member.user, member=member)
    fresh = _fresh(member)
    assert fresh.state == S.LEFT and fresh.accepted_at is not None
    assert has_conflict(member.user, proposal)
    assert not rules.is_lead_or_team(proposal, member.user)
    assert not can_view_proposal(member.user, Proposal.objects.get(pk=proposal.pk))


def test_an_invitation_is_not_left_but_declined():
    member = TeamMemberFactory(invited=True)
    with pytest.raises(TransitionStateConflict):
        team_member_leave(actor=member.user, member=member)


@pytest.mark.parametrize("invited", [True, False])
def test_only_the_lead_removes(invited):
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, invited=invited)
    other = TeamMemberFactory(proposal=proposal)
    for actor in (other.user, UserFactory(), UserFactory(fund_manager=True)):
        with pytest.raises(PermissionDenied):
            team_member_remove(actor=actor, member=member)
    assert _fresh(member).state == (S.INVITED if invited else S.ACCEPTED)
    team_member_remove(actor=proposal.lead, member=member, note="Changed plans")
    assert _fresh(member).state == S.REMOVED
    assert TeamMember.objects.filter(pk=member.pk).exists()  # never deleted


# --- lapsing ------------------------------------------------------------------------------------
def test_open_invitations_lapse_when_the_proposal_is_submitted():
    proposal = ProposalFactory(ready=True)
    accepted = TeamMemberFactory(proposal=proposal)
    open_ = TeamMemberFactory(proposal=proposal, invited=True)
    proposal_submit(proposal=proposal, actor=proposal.lead)
    assert _fresh(accepted).state == S.ACCEPTED
    assert _fresh(open_).state == S.DECLINED
    [log] = history(open_)
    assert (log.transition, log.actor) == ("decline", None)
    assert "lapsed" in log.note
    with pytest.raises(TransitionStateConflict):
        team_member_accept(actor=open_.user, member=open_)


def test_a_refused_submit_leaves_invitations_open():
    proposal = ProposalFactory()  # not ready: the submit is refused
    open_ = TeamMemberFactory(proposal=proposal, invited=True)
    with pytest.raises(ValidationError):
        proposal_submit(proposal=proposal, actor=proposal.lead)
    assert _fresh(open_).state == S.INVITED


def test_open_invitations_lapse_when_the_draft_is_withdrawn():
    proposal = ProposalFactory(ready=True)
    open_ = TeamMemberFactory(proposal=proposal, invited=True)
    proposal_withdraw(proposal=proposal, actor=proposal.lead)
    assert _fresh(open_).state == S.DECLINED


# --- rights: only accepted members --------------------------------------------------------------
def test_an_invitee_reads_the_proposal_but_changes_nothing(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    proposal = ProposalFactory(ready=True)
    invitee = TeamMemberFactory(proposal=proposal, invited=True).user
    fresh = Proposal.objects.prefetch_related("team").get(pk=proposal.pk)
    assert can_view_proposal(invitee, fresh)
    assert proposal in proposals_visible_to(invitee)
    assert not can_edit_proposal(invitee, fresh)
    assert not rules.is_lead_or_team(fresh, invitee)
    assert proposal not in my_proposals(user=invitee)
    with pytest.raises(PermissionDenied):
        proposal_update(actor=invitee, proposal=proposal, title="Hijacked")
    with pytest.raises(PermissionDenied):
        attachment_add(actor=invitee, proposal=proposal,
                       upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    with pytest.raises(PermissionDenied):
        proposal_submit(proposal=proposal, actor=invitee)
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title


def test_a_declined_invitee_no_longer_sees_the_draft():
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, invited=True)
    team_member_decline(actor=member.user, member=member)
    fresh = Proposal.objects.prefetch_related("team").get(pk=proposal.pk)
    assert not can_view_proposal(member.user, fresh)
    assert proposal not in proposals_visible_to(member.user)


def test_naming_the_chair_does_not_block_the_decision():
    """The finding: a lead put the round's chair on the team, conflicting them out. Now the
    chair is only invited, and stays unconflicted unless they accept."""
    proposal = ProposalFactory(ready=True, partners=[AgencyFactory()])
    chair = UserFactory()
    Panel.objects.create(round=proposal.round, name="Panel", chair=chair)
    proposal_update(actor=proposal.lead, proposal=proposal,
                    team=[{"user": chair.pk, "role": "Adviser"}])
    member = proposal.team.get(user=chair)
    assert member.state == S.INVITED
    fresh = Proposal.objects.prefetch_related("team").get(pk=proposal.pk)
    assert not has_conflict(chair, fresh)


# --- the nested team: compared with the team as it stands ------------------------------------
def test_the_leads_team_is_compared_not_replaced():
    proposal = ProposalFactory(ready=True)
    kept = TeamMemberFactory(proposal=proposal, role="Old role")
    dropped = TeamMemberFactory(proposal=proposal)
    newcomer = UserFactory()
    proposal_update(actor=proposal.lead, proposal=proposal, team=[
        {"user": kept.user.pk, "role": "New role"}, {"user": newcomer.pk, "role": "Design"},
    ])
    assert _fresh(kept).state == S.ACCEPTED and _fresh(kept).role == "New role"
    assert _fresh(dropped).state == S.REMOVED
    assert proposal.team.get(user=newcomer).state == S.INVITED
    assert proposal.team.count() == 3  # nothing deleted


def test_a_removed_member_sent_again_is_invited_again_on_the_same_row():
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal)
    proposal_update(actor=proposal.lead, proposal=proposal, team=[])
    assert _fresh(member).state == S.REMOVED
    proposal_update(actor=proposal.lead, proposal=proposal, team=[{"user": member.user.pk}])
    assert _fresh(member).state == S.INVITED and proposal.team.count() == 1
    assert _fresh(member).accepted_at is not None  # who ever accepted stays conflicted


def test_a_new_proposal_invites_its_team():
    from fund.factories import RoundFactory

    lead, colleague = UserFactory(), UserFactory()
    proposal = proposal_create(actor=lead, round_=RoundFactory(), title="New",
                               team=[{"user": colleague.pk, "role": "Data"}])
    assert [(m.user, m.state) for m in proposal.team.all()] == [(colleague, S.INVITED)]


def test_a_team_member_cannot_empty_the_team():
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal)
    other = TeamMemberFactory(proposal=proposal)
    with pytest.raises(PermissionDenied) as error:
        proposal_update(actor=member.user, proposal=proposal, summary="Changed", team=[])
    assert "Only the proposal's lead" in str(error.value)
    assert {m.state for m in proposal.team.all()} == {S.ACCEPTED}
    assert _fresh(other).state == S.ACCEPTED
    assert Proposal.objects.get(pk=proposal.pk).summary != "Changed"


def test_a_team_member_cannot_add_anyone():
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, role="Analyst")
    with pytest.raises(PermissionDenied):
        proposal_update(actor=member.user, proposal=proposal, team=[
            {"user": member.user.pk, "role": "Analyst"}, {"user": UserFactory().pk},
        ])
    assert proposal.team.count() == 1


def test_a_team_member_may_send_the_team_back_unchanged():
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, role="Analyst")
    invited = TeamMemberFactory(proposal=proposal, invited=True, role="Design")
    proposal_update(actor=member.user, proposal=proposal, summary="Sharper", team=[
        {"user": member.user.pk, "role": "Analyst"}, {"user": invited.user.pk, "role": "Design"},
    ])
    assert Proposal.objects.get(pk=proposal.pk).summary == "Sharper"
    assert [m.state for m in proposal.team.all()] == [S.ACCEPTED, S.INVITED]


def test_the_services_refuse_those_who_may_not_be_team_members():
    """The same rule as the people search and the form (`permissions.why_not_team_member`)."""
    from proposals.permissions import can_join_team
    from proposals.services.drafting import proposal_update

    proposal = ProposalFactory(ready=True)
    hr = UserFactory(hr_officer=True, first_name="Dechen", last_name="Wangmo")
    admin = UserFactory(agency=None, is_superuser=True, is_staff=True)
    assert not can_join_team(hr) and not can_join_team(admin)
    assert can_join_team(UserFactory()) and can_join_team(UserFactory(fund_manager=True))
    with pytest.raises(ValidationError) as error:
        team_invite(actor=proposal.lead, proposal=proposal, user=hr)
    assert error.value.message_dict["user"] == [
        "Dechen Wangmo is an HR officer and cannot join a proposal's team."]
    with pytest.raises(ValidationError):
        team_invite(actor=proposal.lead, proposal=proposal, user=admin)
    with pytest.raises(ValidationError) as error:
        proposal_update(actor=proposal.lead, proposal=proposal, team=[{"user": hr}])
    assert "cannot join a proposal's team" in error.value.message_dict["team"][0]
    assert proposal.team.count() == 0
