"""`proposals_visible_to` lists exactly what `can_view_proposal` allows, for every state × role."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.permissions import can_view_proposal
from proposals.selectors import (
    NEVER_SUBMITTED,
    my_proposals,
    proposal_list,
    proposals_visible_to,
    submitted_proposals_visible_to,
)
from reviews.models import Assignment, Panel

pytestmark = pytest.mark.django_db
S = Proposal.State
ALL = S.values
AFTER_SUBMIT = [s for s in ALL if s != S.DRAFT]
REVIEWED = [S.IN_REVIEW, S.REVISION_REQUESTED, S.RECOMMENDED, S.REJECTED, S.FUNDED, S.DECLINED,
            S.OUTCOME_REPORTED, S.CLOSED]

# role -> the states in which that role sees a proposal of the grid
EXPECTED = {
    "lead": ALL, "team": ALL, "stranger": [], "anonymous": [],
    "fund_manager": AFTER_SUBMIT, "conflicted_fund_manager": ALL, "hr_officer": AFTER_SUBMIT,
    "chair": REVIEWED, "conflicted_chair": [], "reviewer": AFTER_SUBMIT,
}


@pytest.fixture
def grid():
    """One proposal per state in one round, plus one per role around them."""
    round_ = RoundFactory()
    lead, member = UserFactory(), UserFactory()
    conflicted_fm = UserFactory(fund_manager=True)
    chair, reviewer = UserFactory(), UserFactory()
    conflicted_chair = UserFactory(agency=lead.agency)
    panel = Panel.objects.create(round=round_, name="P", chair=chair)
    Panel.objects.create(round=round_, name="Q", chair=conflicted_chair)
    proposals = {}
    for state in ALL:
        traits = {"ready": True} if state == S.DRAFT else {state: True}
        p = ProposalFactory(round=round_, lead=lead, **traits,
                            submitted_at=None if state == S.DRAFT else timezone.now())
        TeamMemberFactory(proposal=p, user=member)
        TeamMemberFactory(proposal=p, user=conflicted_fm)
        if state != S.DRAFT:
            Assignment.objects.create(proposal=p, reviewer=reviewer, panel=panel,
                                      due_on=timezone.localdate() + timedelta(days=7))
        proposals[state] = p
    users = {
        "lead": lead, "team": member, "stranger": UserFactory(), "anonymous": AnonymousUser(),
        "fund_manager": UserFactory(fund_manager=True), "conflicted_fund_manager": conflicted_fm,
        "hr_officer": UserFactory(hr_officer=True), "chair": chair,
        "conflicted_chair": conflicted_chair, "reviewer": reviewer,
    }
    ProposalFactory(submitted=True)  # another round, another lead: noise for every role
    return proposals, users


@pytest.mark.parametrize("role", list(EXPECTED))
def test_list_and_object_permission_agree_for_every_state(grid, role):
    proposals, users = grid
    user = users[role]
    listed = set(proposals_visible_to(user).values_list("pk", flat=True))
    for state, proposal in proposals.items():
        allowed = can_view_proposal(user, proposal)
        assert (proposal.pk in listed) == allowed, (role, state)
        assert allowed == (state in EXPECTED[role]), (role, state)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_submitted_ones_are_the_visible_ones_less_the_never_submitted(grid, role):
    """`submitted_proposals_visible_to` (all proposals, the screening queue: issue 16) lists
    the same rows as `proposals_visible_to` without the drafts, for every role; a fund
    manager's and an HR officer's without the union of their own paths."""
    proposals, users = grid
    user = users[role]
    ProposalFactory(lead=user if role != "anonymous" else UserFactory())  # their own draft
    expected = set(proposals_visible_to(user).exclude(NEVER_SUBMITTED).values_list("pk", flat=True))
    found = submitted_proposals_visible_to(user)
    assert set(found.values_list("pk", flat=True)) == expected, role
    assert proposals[S.DRAFT].pk not in expected
    if role in ("fund_manager", "conflicted_fund_manager", "hr_officer"):
        assert "UNION" not in str(found.query).upper()


def test_list_has_no_duplicates_for_a_user_with_several_roles(grid):
    proposals, users = grid
    lead = users["lead"]
    from django.contrib.auth.models import Group

    lead.groups.add(Group.objects.get_or_create(name="fund_managers")[0])
    lead.__dict__.pop("_group_names", None)
    pks = list(proposals_visible_to(lead).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)) == len(proposals) + 1  # plus the other round's submitted


def test_proposal_list_filters(grid):
    proposals, users = grid
    fm = users["fund_manager"]
    submitted = proposal_list(viewer=fm, filters={"state": S.SUBMITTED})
    assert {p.state for p in submitted} == {S.SUBMITTED} and submitted.count() == 2
    by_round = proposal_list(viewer=fm, filters={"round": proposals[S.DRAFT].round_id})
    assert by_round.count() == len(AFTER_SUBMIT)
    assert not proposal_list(viewer=users["stranger"]).exists()


def test_my_proposals_are_those_led_or_joined(grid):
    proposals, users = grid
    assert my_proposals(user=users["team"]).count() == len(proposals)
    assert not my_proposals(user=users["stranger"]).exists()
