"""A record's reviews count, for anyone but the person, only once the panel has decided on
the proposal: a count that moved while a proposal is in review would tell a reader with a
conflict of interest its review's progress (found by an outsider's attack). And a record's
learnings name their proposal only to who may see it."""

from proposals.factories import ProposalFactory
from proposals.models import Proposal
from rewards.factories import LearningFactory

from .conftest import submitted_review


def _count(api, person) -> int:
    return api.get(f"/api/v1/people/{person.pk}/innovation-record/").json()[
        "reviews_completed"]["count"]


def test_a_review_counts_for_others_once_the_proposal_leaves_review(world, api_for,
                                                                   client_for):
    in_review = ProposalFactory(in_review=True, title="Dengue mapping")
    submitted_review(reviewer=world.reviewer, proposal=in_review)
    for reader in (world.fund_manager, world.hr_officer):
        assert _count(api_for(reader), world.reviewer) == 1  # the decided proposal's only
    assert _count(api_for(world.reviewer), world.reviewer) == 2  # their own: at once
    page = client_for(world.hr_officer).get(f"/people/{world.reviewer.pk}/record/")
    assert "1 review completed" in page.content.decode()
    Proposal.objects.filter(pk=in_review.pk).update(state=Proposal.State.RECOMMENDED)
    assert _count(api_for(world.hr_officer), world.reviewer) == 2


def test_a_record_never_gives_the_id_of_a_draft_its_learning_is_linked_to(world, api_for):
    draft = ProposalFactory(lead=world.lead, title="Not yet submitted")
    LearningFactory(title="Draft lesson", proposal=draft, created_by=world.lead)
    for reader in (world.hr_officer, world.fund_manager):
        body = api_for(reader).get(f"/api/v1/people/{world.lead.pk}/innovation-record/").json()
        linked = {lr["title"]: lr["proposal"] for lr in body["learnings"]}
        assert linked["Draft lesson"] is None
        assert linked["Older patients missed SMS calls"] == world.proposal.pk  # in the register
    own = api_for(world.lead).get(f"/api/v1/people/{world.lead.pk}/innovation-record/").json()
    assert {lr["title"]: lr["proposal"] for lr in own["learnings"]}["Draft lesson"] == draft.pk
