"""The applicant's journey on the proposal's page (issue 15): what the reviewers said is one
link away once there is something to read, and a revision request is at the top of the page,
with what was asked and what to do, not only in the history at the bottom."""

import pytest
from django.urls import reverse

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.services import proposal_request_revision
from proposals.views import FEEDBACK_STATES
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Review
from reviews.permissions import DECIDED_STATES

pytestmark = pytest.mark.django_db

LINK = 'id="reviewers-said-link"'


def test_the_feedback_states_are_the_reviews_rule():
    assert set(FEEDBACK_STATES) == set(DECIDED_STATES)


def _page(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_is_led_to_what_the_reviewers_said(client):
    proposal = ProposalFactory(rejected=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    page = _page(client, proposal.lead, proposal)
    assert LINK in page
    assert reverse("reviews:proposal", args=[proposal.pk]) in page
    # The link leads to the comments themselves.
    reviews = client.get(reverse("reviews:proposal", args=[proposal.pk])).content.decode()
    assert "Clear hypothesis; measure waiting times directly." in reviews


def test_an_accepted_team_member_sees_the_link_too(client):
    proposal = ProposalFactory(recommended=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    member = TeamMemberFactory(proposal=proposal).user
    assert LINK in _page(client, member, proposal)


def test_no_link_when_the_reviewers_left_nothing_for_the_applicant(client):
    proposal = ProposalFactory(rejected=True)
    assignment = AssignmentFactory(proposal=proposal, submitted=True)
    Review.objects.filter(assignment=assignment).update(comment_to_applicant="")
    assert LINK not in _page(client, proposal.lead, proposal)


def test_no_link_before_the_panel_decides(client):
    proposal = ProposalFactory(in_review=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    assert LINK not in _page(client, proposal.lead, proposal)


def test_no_link_without_any_review(client):
    proposal = ProposalFactory(rejected=True)
    assert LINK not in _page(client, proposal.lead, proposal)


def test_the_link_is_for_the_applicants(client):
    proposal = ProposalFactory(rejected=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    assert LINK not in _page(client, UserFactory(fund_manager=True), proposal)


def _revision_requested():
    proposal = ProposalFactory(in_review=True)
    chair = UserFactory()
    panel = PanelFactory(round=proposal.round, chair=chair)
    AssignmentFactory(proposal=proposal, panel=panel, submitted=True)
    proposal_request_revision(
        proposal=proposal, actor=chair, message="Please add a control group in Paro."
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REVISION_REQUESTED
    return proposal, chair


def test_a_revision_request_is_at_the_top_of_the_page(client):
    proposal, chair = _revision_requested()
    page = _page(client, proposal.lead, proposal)
    assert 'id="revision-request"' in page
    top = page.index('id="revision-request"')
    assert top < page.index('id="experiment-heading"')  # above the proposal, not in the history
    panel = page[top:page.index("</section>", top)]
    assert "Please add a control group in Paro." in panel
    assert "By when:" in panel
    assert reverse("proposals:edit", args=[proposal.pk]) in panel
    assert "submit it again" in panel
    assert str(chair) not in panel  # blind: the applicant reads "the panel chair"
    assert "the panel chair" in panel


def test_a_revision_request_is_not_shown_to_others_nor_after_it_is_answered(client):
    proposal, chair = _revision_requested()
    assert 'id="revision-request"' not in _page(client, UserFactory(fund_manager=True), proposal)
    Proposal.objects.filter(pk=proposal.pk).update(state=Proposal.State.SUBMITTED)
    assert 'id="revision-request"' not in _page(client, proposal.lead, proposal)
