"""Who sees and edits a proposal, by role and state."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.permissions import can_edit_proposal, can_view_proposal
from proposals.services import proposal_submit, proposal_withdraw
from reviews.models import Assignment, Panel

pytestmark = pytest.mark.django_db
S = Proposal.State


def proposal_in(state: str) -> Proposal:
    return ProposalFactory(**({"ready": True} if state == S.DRAFT else {state: True}))


@pytest.fixture
def people():
    return {"stranger": UserFactory(), "fund_manager": UserFactory(fund_manager=True),
            "hr_officer": UserFactory(hr_officer=True)}


def test_draft_is_seen_only_by_lead_and_team(people):
    draft = proposal_in(S.DRAFT)
    member = TeamMemberFactory(proposal=draft).user
    assert can_view_proposal(draft.lead, draft) and can_view_proposal(member, draft)
    for role, user in people.items():
        assert not can_view_proposal(user, draft), role
    assert not can_view_proposal(AnonymousUser(), draft)
    assert not can_view_proposal(None, draft)


@pytest.mark.parametrize("state", [s for s in S.values if s != S.DRAFT])
def test_fund_manager_and_hr_see_submitted_and_later(people, state):
    proposal = proposal_in(state)
    proposal.submitted_at = timezone.now()  # factory states skip the submit service
    proposal.save(update_fields=["submitted_at"])
    assert can_view_proposal(people["fund_manager"], proposal)
    assert can_view_proposal(people["hr_officer"], proposal)
    assert not can_view_proposal(people["stranger"], proposal)


def test_a_draft_withdrawn_before_submission_stays_private(people):
    proposal = proposal_in(S.DRAFT)
    proposal_withdraw(proposal=proposal, actor=proposal.lead)
    assert can_view_proposal(proposal.lead, proposal)
    assert not can_view_proposal(people["fund_manager"], proposal)
    assert not can_view_proposal(people["hr_officer"], proposal)


def test_a_proposal_withdrawn_after_submission_is_seen_by_the_fund_manager(people):
    proposal = proposal_in(S.DRAFT)
    proposal = proposal_submit(proposal=proposal, actor=proposal.lead)
    proposal = proposal_withdraw(proposal=proposal, actor=proposal.lead)
    assert can_view_proposal(people["fund_manager"], proposal)


def test_civil_servants_never_see_anothers_proposals(people):
    for state in S.values:
        assert not can_view_proposal(people["stranger"], proposal_in(state)), state


def test_chair_sees_proposals_in_review_in_their_round_unless_conflicted():
    in_review = proposal_in(S.IN_REVIEW)
    submitted = ProposalFactory(submitted=True, round=in_review.round)
    chair = UserFactory()
    Panel.objects.create(round=in_review.round, name="Panel", chair=chair)
    assert can_view_proposal(chair, in_review)
    assert not can_view_proposal(chair, submitted)  # not yet sent to the panel
    same_agency_chair = UserFactory(agency=in_review.lead.agency)
    Panel.objects.create(round=in_review.round, name="Panel 2", chair=same_agency_chair)
    assert not can_view_proposal(same_agency_chair, in_review)


def test_reviewer_sees_only_assigned_proposals_without_declared_conflict():
    proposal, other = proposal_in(S.IN_REVIEW), proposal_in(S.IN_REVIEW)
    reviewer, conflicted = UserFactory(), UserFactory()
    panel = Panel.objects.create(round=proposal.round, name="P", chair=UserFactory())
    due = timezone.localdate() + timedelta(days=14)
    Assignment.objects.create(proposal=proposal, reviewer=reviewer, panel=panel, due_on=due)
    Assignment.objects.create(proposal=proposal, reviewer=conflicted, panel=panel, due_on=due,
                              state=Assignment.State.CONFLICT)
    assert can_view_proposal(reviewer, proposal)
    assert not can_view_proposal(reviewer, other)
    assert not can_view_proposal(conflicted, proposal)


def test_inactive_lead_sees_nothing():
    proposal = proposal_in(S.DRAFT)
    proposal.lead.is_active = False
    proposal.lead.save()
    assert not can_view_proposal(proposal.lead, proposal)
    assert not can_edit_proposal(proposal.lead, proposal)


@pytest.mark.parametrize("state, editable", [
    (S.DRAFT, True), (S.REVISION_REQUESTED, True), (S.SUBMITTED, False), (S.IN_REVIEW, False),
    (S.INELIGIBLE, False), (S.WITHDRAWN, False), (S.FUNDED, False),
])
def test_lead_and_team_edit_only_while_editable(state, editable):
    proposal = proposal_in(state)
    member = TeamMemberFactory(proposal=proposal).user
    assert can_edit_proposal(proposal.lead, proposal) is editable
    assert can_edit_proposal(member, proposal) is editable


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.REVISION_REQUESTED])
def test_hr_officer_and_fund_manager_cannot_edit(people, state):
    proposal = proposal_in(state)
    for role in ("hr_officer", "fund_manager", "stranger"):
        assert not can_edit_proposal(people[role], proposal), role
    assert not can_edit_proposal(AnonymousUser(), proposal)
