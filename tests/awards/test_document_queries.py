"""Each PDF costs the same number of queries for a small object as for a large one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.factories import RoundFactory
from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals.factories import BudgetLineFactory, ProposalFactory, TeamMemberFactory
from proposals.models import OutcomeReport
from reviews.models import Assignment, Panel, Review

from .conftest import D, make_award

STATES = ("in_review", "recommended", "rejected", "funded", "declined", "closed")


def _queries(client, user, url) -> int:
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    return len(queries)


def _round_with(world, n: int):
    """A round of `n` proposals past drafting plus a draft, each reviewed twice, the funded and
    closed ones with an award of two tranches, leads from different agencies."""
    round_ = RoundFactory(fund=world.fund, budget=D("900000000.00"))
    panel = Panel.objects.create(round=round_, name="Panel", chair=world.chair)
    reviewers = UserFactory.create_batch(2)
    proposals = [
        ProposalFactory(round=round_, lead=UserFactory(), requested_amount=D("100000.00"),
                        state=STATES[i % len(STATES)], title=f"Experiment {i}")
        for i in range(n)
    ]
    ProposalFactory(round=round_, title="A draft")
    assignments = Assignment.objects.bulk_create(
        Assignment(proposal=p, reviewer=r, panel=panel, due_on=datetime.date(2027, 1, 1),
                   state="submitted")
        for p in proposals for r in reviewers
    )
    Review.objects.bulk_create(
        Review(assignment=a, recommendation="fund", weighted_score=D(50 + i % 40))
        for i, a in enumerate(assignments)
    )
    for proposal in proposals:
        if proposal.state in ("funded", "closed"):
            make_award(proposal, approved_by=world.manager,
                       tranches=[("50000.00", "scheduled"), ("50000.00", "scheduled")])
    return round_


def test_the_portfolio_costs_the_same_queries_for_3_and_30_proposals(client, world):
    small, large = _round_with(world, 3), _round_with(world, 30)
    url = "/api/v1/rounds/{}/portfolio.pdf"
    assert (_queries(client, world.manager, url.format(small.pk))
            == _queries(client, world.manager, url.format(large.pk)))


def _award(world, size: int) -> Award:
    """An award of `size` tranches, its proposal with `size` partner agencies, team members
    and (beside the two of the factory) budget lines."""
    proposal = ProposalFactory(round=world.round, lead=UserFactory(), funded=True,
                               partners=AgencyFactory.create_batch(size))
    TeamMemberFactory.create_batch(size, proposal=proposal)
    BudgetLineFactory.create_batch(size, proposal=proposal)
    return make_award(proposal, approved_by=world.manager,
                      tranches=[("100000.00", "scheduled")] * size)


def test_the_award_letter_costs_the_same_queries_for_1_and_6_tranches(client, world):
    small, large = _award(world, 1), _award(world, 6)
    assert small.tranches.count() == 1 and large.tranches.count() == 6
    url = "/api/v1/awards/{}/letter.pdf"
    assert (_queries(client, world.manager, url.format(small.pk))
            == _queries(client, world.manager, url.format(large.pk)))


@pytest.mark.parametrize("with_outcome", [False, True])
def test_the_proposal_summary_costs_the_same_queries_small_and_large(client, world,
                                                                     with_outcome):
    small, large = _award(world, 1).proposal, _award(world, 8).proposal
    if with_outcome:
        for proposal in (small, large):
            OutcomeReport.objects.create(
                proposal=proposal, result="did_not_succeed", summary="Low uptake.",
                indicators="12%.", amount_spent=D("1000.00"), citizen_feedback="Print it.",
                next_step="iterate", submitted_by=proposal.lead)
    url = "/api/v1/proposals/{}/summary.pdf"
    assert (_queries(client, world.manager, url.format(small.pk))
            == _queries(client, world.manager, url.format(large.pk)))

