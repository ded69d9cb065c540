"""All proposals for fund managers (issue 15): filter by round, state, agency and words of the
title, sorted, paginated, the same number of queries for one row or many, and only what the
viewer may see; the fund manager's home page links to it."""

from decimal import Decimal

import pytest

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from portal.all_proposals import PAGE_SIZE
from proposals.factories import ProposalFactory
from proposals.models import Proposal

URL = "/proposals/all/"


@pytest.fixture
def manager(db):
    return UserFactory(fund_manager=True)


def _titles(client, user, query=""):
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return [p.title for p in response.context["page"].object_list]


def test_lists_every_state_but_never_a_draft(client, manager):
    submitted = ProposalFactory(submitted=True, title="Submitted one")
    funded = ProposalFactory(funded=True, title="Funded one")
    closed = ProposalFactory(closed=True, title="Closed one")
    ProposalFactory(title="Secret draft")  # a draft: only its team sees it
    ProposalFactory(withdrawn=True, title="Withdrawn draft")
    titles = _titles(client, manager)
    assert set(titles) == {submitted.title, funded.title, closed.title}


def test_filters_by_round_state_agency_and_title(client, manager):
    health = AgencyFactory(name="Ministry of Health", code="MOH")
    round_a, round_b = RoundFactory(title="Round A"), RoundFactory(title="Round B")
    lead = UserFactory(agency=health)
    a = ProposalFactory(round=round_a, submitted=True, title="Mobile clinics", lead=lead)
    b = ProposalFactory(round=round_b, funded=True, title="Bus timetables")
    c = ProposalFactory(round=round_b, submitted=True, title="Clinic queue SMS")
    c.partner_agencies.add(health)
    assert _titles(client, manager, f"?round={round_b.pk}&sort=title") == [b.title, c.title]
    assert _titles(client, manager, "?state=funded") == [b.title]
    assert _titles(client, manager, f"?agency={health.pk}&sort=title") == [c.title, a.title]
    assert _titles(client, manager, "?q=clinic&sort=title") == [c.title, a.title]
    assert _titles(client, manager, f"?q=clinic&round={round_a.pk}") == [a.title]


def test_sorts_by_title_amount_and_submission(client, manager):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    ProposalFactory(submitted=True, title="Beta", requested_amount=Decimal("200.00"),
                    submitted_at=now - timedelta(days=1))
    ProposalFactory(submitted=True, title="Alpha", requested_amount=Decimal("900.00"),
                    submitted_at=now - timedelta(days=3))
    ProposalFactory(submitted=True, title="Gamma", requested_amount=Decimal("500.00"),
                    submitted_at=now - timedelta(days=2))
    assert _titles(client, manager, "?sort=title") == ["Alpha", "Beta", "Gamma"]
    assert _titles(client, manager, "?sort=amount") == ["Alpha", "Gamma", "Beta"]
    assert _titles(client, manager, "") == ["Beta", "Gamma", "Alpha"]  # newest first
    assert _titles(client, manager, "?sort=oldest") == ["Alpha", "Gamma", "Beta"]
    # A column heading sorts by it, keeping the filters and going back to page 1.
    client.force_login(manager)
    page = client.get(URL + "?q=a&sort=newest&page=1").content.decode()
    assert 'href="?q=a&amp;sort=title"' in page


def test_a_bad_filter_is_said_and_left_out(client, manager):
    ProposalFactory(submitted=True, title="Still listed")
    client.force_login(manager)
    response = client.get(URL + "?state=nonsense&sort=sideways&round=999999")
    assert response.status_code == 200
    assert [p.title for p in response.context["page"].object_list] == ["Still listed"]
    assert "errorlist" in response.content.decode()


def test_a_conflict_of_interest_is_said_on_the_row(client, db):
    agency = AgencyFactory()
    manager = UserFactory(fund_manager=True, agency=agency)
    mine = ProposalFactory(submitted=True, title="My agency's", lead=UserFactory(agency=agency))
    ProposalFactory(submitted=True, title="Someone else's")
    client.force_login(manager)
    response = client.get(URL + "?sort=title")
    rows = {p.title: p.viewer_conflict for p in response.context["page"].object_list}
    assert rows == {mine.title: True, "Someone else's": False}
    assert "Your conflict of interest" in response.content.decode()


def test_paginated_with_the_shared_pagination(client, manager):
    for i in range(PAGE_SIZE + 2):
        ProposalFactory(submitted=True, title=f"Proposal {i:02}")
    client.force_login(manager)
    first = client.get(URL + "?sort=title&q=Proposal").content.decode()
    assert f"{PAGE_SIZE + 2} proposals" in first and "Page 1 of 2" in first
    assert 'href="?sort=title&amp;q=Proposal&amp;page=2"' in first
    second = client.get(URL + "?sort=title&q=Proposal&page=2")
    assert len(second.context["page"].object_list) == 2


def _queries(client, user, django_assert_max_num_queries, limit):
    client.force_login(user)
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(URL + "?sort=title").status_code == 200
    return len(captured.captured_queries)


def test_the_same_number_of_queries_for_one_row_or_many(client, manager,
                                                         django_assert_max_num_queries):
    partner = AgencyFactory()
    first = ProposalFactory(funded=True)
    first.partner_agencies.add(partner)
    one = _queries(client, manager, django_assert_max_num_queries, 40)
    for _ in range(12):
        proposal = ProposalFactory(funded=True, lead=UserFactory(agency=AgencyFactory()))
        proposal.partner_agencies.add(AgencyFactory(), partner)
    from fund.models import Award

    for proposal in Proposal.objects.filter(state="funded")[:5]:
        Award.objects.get_or_create(proposal=proposal, defaults={
            "amount": Decimal("100.00"), "approved_by": manager})
    many = _queries(client, manager, django_assert_max_num_queries, one)
    assert many == one


def test_only_fund_managers(client, db):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_the_fund_managers_home_page_links_to_it(client, manager):
    client.force_login(manager)
    assert f'href="{URL}"' in client.get("/").content.decode()
    client.force_login(UserFactory())
    assert f'href="{URL}"' not in client.get("/").content.decode()


def test_draft_is_not_offered_as_a_state_since_none_is_listed(client, manager):
    ProposalFactory(lead=manager, title="The manager's own draft")
    client.force_login(manager)
    response = client.get(URL)
    offered = [value for value, _ in response.context["filter_form"].fields["state"].choices]
    assert Proposal.State.DRAFT not in offered
    assert Proposal.State.SUBMITTED in offered and Proposal.State.WITHDRAWN in offered
    assert 'value="draft"' not in response.content.decode()
    # Not even the viewer's own draft is listed: it is on their own proposals page.
    assert _titles(client, manager) == []
