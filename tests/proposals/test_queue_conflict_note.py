"""The screening queue tells a conflicted fund manager the conflict rule's own reason, in their
words, and who acts instead: another fund manager, or, when every other one has a conflict
too, an administrator. The note costs no queries per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _queue(client, user):
    client.force_login(user)
    response = client.get(reverse("proposals:queue"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def mof():
    return AgencyFactory(code="MOF", name="Ministry of Finance")


def test_a_partner_agency_is_named_and_another_fund_manager_screens(client, mof):
    manager = UserFactory(fund_manager=True, agency=mof)
    UserFactory(fund_manager=True)  # free of conflict
    ProposalFactory(submitted=True, partners=[mof])
    page = _queue(client, manager)
    assert escape("Your agency (MOF) is a partner on this proposal; another fund manager "
                  "screens it.") in page
    assert "You are on this proposal" not in page


def test_the_lead_agency_is_named(client, mof):
    manager = UserFactory(fund_manager=True, agency=mof)
    UserFactory(fund_manager=True)
    ProposalFactory(submitted=True, lead=UserFactory(agency=mof))
    page = _queue(client, manager)
    assert escape("Your agency (MOF) leads this proposal; another fund manager screens it.") in page


def test_when_no_other_fund_manager_is_free_an_administrator_acts(client, mof):
    manager = UserFactory(fund_manager=True, agency=mof)
    UserFactory(fund_manager=True, agency=mof)  # conflicted too
    ProposalFactory(submitted=True, partners=[mof])
    page = _queue(client, manager)
    assert "another fund manager screens it" not in page
    assert "every other fund manager has a conflict of interest with it too" in page
    assert "administrators, who can make someone without a conflict a fund manager" in page
    assert reverse("help_conflicts") in page


def test_the_note_runs_no_query_per_row(client, mof):
    manager = UserFactory(fund_manager=True, agency=mof)
    UserFactory(fund_manager=True)
    client.force_login(manager)
    ProposalFactory(submitted=True, partners=[mof])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("proposals:queue"))
    lead = UserFactory()
    ProposalFactory.create_batch(6, submitted=True, partners=[mof], lead=lead)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("proposals:queue")).content.decode()
    assert page.count("another fund manager screens it") == 7
    assert len(many.captured_queries) == len(one.captured_queries)
