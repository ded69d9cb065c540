"""Every list endpoint runs the same number of queries for 10 rows as for 200."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import AttachmentFactory, ProposalFactory, TeamMemberFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def assert_same_count(client, path, add_rows):
    add_rows(10)
    client.get(path)  # warm process-wide caches (content types) so both counts are alike
    small = count_queries(client, path)
    add_rows(190)
    assert client.get(path).json()["count"] >= 200
    assert count_queries(client, path) == small, path


def test_agencies(db):
    client = client_for(UserFactory())
    assert_same_count(client, "/api/v1/agencies/", lambda n: AgencyFactory.create_batch(n))


def test_people(db):
    client = client_for(UserFactory())
    assert_same_count(client, "/api/v1/people/", lambda n: UserFactory.create_batch(n))


def test_funds(db):
    client = client_for(UserFactory())

    def add(n):
        for fund in FundFactory.create_batch(n):
            ContributionFactory(fund=fund, amount=Decimal("10.00"))

    assert_same_count(client, "/api/v1/funds/", add)


def test_contributions(db):
    manager = UserFactory(fund_manager=True)
    client = client_for(manager)
    fund, agency = FundFactory(), AgencyFactory()
    assert_same_count(
        client, f"/api/v1/funds/{fund.pk}/contributions/",
        lambda n: ContributionFactory.create_batch(n, fund=fund, agency=agency, recorded_by=manager),
    )


def test_rounds(db):
    client = client_for(UserFactory(fund_manager=True))
    fund = FundFactory()
    assert_same_count(client, "/api/v1/rounds/", lambda n: RoundFactory.create_batch(n, fund=fund))


@pytest.mark.parametrize("viewer", ["lead", "fund_manager"])
def test_proposals(db, viewer):
    lead, manager = UserFactory(), UserFactory(fund_manager=True)
    round_, partner = RoundFactory(), AgencyFactory()
    state = {"ready": True} if viewer == "lead" else {"submitted": True}

    def add(n):
        for proposal in ProposalFactory.create_batch(
            n, round=round_, lead=lead, partners=[partner], submitted_at=timezone.now(), **state
        ):
            TeamMemberFactory(proposal=proposal, user=manager if viewer == "lead" else UserFactory())
            AttachmentFactory(proposal=proposal)

    client = client_for(lead if viewer == "lead" else manager)
    assert_same_count(client, "/api/v1/proposals/", add)
