import pytest

from proposals.factories import ProposalFactory
from proposals.models import Proposal
from workflow.services import condition_errors


@pytest.mark.django_db
def test_ready_proposal_meets_every_submit_condition():
    proposal = ProposalFactory(ready=True)
    assert proposal.state == Proposal.State.DRAFT
    assert condition_errors(proposal, "submit") == {}


@pytest.mark.django_db
def test_state_traits():
    assert ProposalFactory(in_review=True).state == Proposal.State.IN_REVIEW
