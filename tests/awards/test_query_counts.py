"""Lists cost the same number of queries for 10 rows as for 200."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Tranche
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal


def _awards(n, *, fund, lead, manager, team):
    round_ = RoundFactory(fund=fund, budget=Decimal("900000000"))
    proposals = ProposalFactory.create_batch(n, round=round_, lead=lead,
                                             state=Proposal.State.FUNDED)
    for proposal in proposals:
        TeamMemberFactory(proposal=proposal, user=team)
    awards = Award.objects.bulk_create(
        Award(proposal=p, amount=Decimal("1000.00"), approved_by=manager) for p in proposals
    )
    Tranche.objects.bulk_create(
        Tranche(award=a, sequence=i, amount=Decimal("500.00"), due_on=datetime.date(2027, 1, i),
                milestone=f"Step {i}", state="released" if i == 1 else "scheduled")
        for a in awards for i in (1, 2)
    )


@pytest.fixture
def people(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {"lead": UserFactory(), "team": UserFactory(), "manager": UserFactory(fund_manager=True)}


def _count(client, user, url_for, n, people):
    fund = FundFactory()
    ContributionFactory(fund=fund, amount=Decimal("9000000"))
    _awards(n, fund=fund, **people)
    client.force_login(user)
    url = url_for(fund)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


URLS = {
    "award list page": lambda fund: "/awards/",
    "fund money page": lambda fund: f"/awards/funds/{fund.pk}/",
    "awards API": lambda fund: "/api/v1/awards/",
    "tranches API": lambda fund: "/api/v1/tranches/",
}


@pytest.mark.parametrize("role", ["manager", "team"])
@pytest.mark.parametrize("name", list(URLS))
def test_same_queries_for_10_and_200_rows(client, people, name, role):
    user = people[role]
    small = _count(client, user, URLS[name], 10, people)
    # Awards are evidence and never deleted: 190 more (in a fund of their own) make 200.
    large = _count(client, user, URLS[name], 190, people)
    assert small == large, f"{name}: {small} queries for 10 rows, {large} for 200"
