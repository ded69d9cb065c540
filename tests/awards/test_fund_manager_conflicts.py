"""No one decides on their own interest: fund managers follow the whole conflict rule (lead,
team, the lead's or a partner agency) for every money and screening decision, in the pages
and the API; another fund manager acts (issue 12, example 4)."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from fund.models import Tranche
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from workflow.services import available_transitions

from .conftest import make_award


@pytest.fixture
def ministry(db):
    return AgencyFactory(code="MOF")


@pytest.fixture
def manager(ministry):
    return UserFactory(fund_manager=True, agency=ministry)


@pytest.fixture
def colleague(db):
    return UserFactory(fund_manager=True, agency=AgencyFactory(code="GNHC"))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_manager_cannot_release_tranches_of_her_own_proposal(manager, colleague, client):
    own = ProposalFactory(funded=True, lead=manager)
    award = make_award(own, approved_by=colleague)
    tranche = award.tranches.get()
    assert "release" not in available_transitions(tranche, manager)
    response = _api(manager).post(f"/api/v1/tranches/{tranche.pk}/transitions/release/", {},
                                  format="json")
    assert response.status_code == 403
    assert "another fund manager must act" in response.json()["detail"]
    client.force_login(manager)
    page = client.post(f"/awards/tranches/{tranche.pk}/transitions/release/")
    assert page.status_code in (403, 404)
    tranche.refresh_from_db()
    assert tranche.state == Tranche.State.SCHEDULED
    assert _api(colleague).post(f"/api/v1/tranches/{tranche.pk}/transitions/release/", {},
                                format="json").status_code == 200


@pytest.mark.parametrize("name, state", [("send_to_review", "submitted"),
                                         ("screen_out", "submitted"),
                                         ("decline", "recommended"),
                                         ("close", "outcome_reported")])
def test_a_manager_from_a_partner_ministry_does_not_decide(ministry, manager, colleague,
                                                         name, state):
    proposal = ProposalFactory(partners=[ministry], **{state: True})
    assert name not in available_transitions(proposal, manager)
    assert name in available_transitions(proposal, colleague)
    response = _api(manager).post(f"/api/v1/proposals/{proposal.pk}/transitions/{name}/",
                                  {"reason": "No.", "note": "x"}, format="json")
    assert response.status_code in (403, 404)
    proposal.refresh_from_db()
    assert proposal.state == state


def test_a_manager_from_a_partner_ministry_does_not_fund(ministry, manager):
    from fund.services.awards import proposal_fund

    proposal = ProposalFactory(recommended=True, partners=[ministry])
    with pytest.raises(PermissionDenied, match="another fund manager must act"):
        proposal_fund(proposal=proposal, actor=manager, amount=proposal.requested_amount)
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.RECOMMENDED


def test_award_cancel_is_refused_to_a_conflicted_manager(ministry, manager, colleague):
    proposal = ProposalFactory(funded=True, lead=UserFactory(agency=ministry))
    award = make_award(proposal, approved_by=colleague)
    assert "cancel" not in available_transitions(award, manager)
    assert "cancel" in available_transitions(award, colleague)


@pytest.mark.parametrize("page", ["fund", "decline"])
def test_the_fund_and_decline_pages_tell_a_conflicted_manager_before_they_send(
        manager, colleague, client, page):
    """The form is not offered to a manager whose agency partners the proposal: the page says
    why and that another fund manager decides (an outsider's attack found the form offered,
    with a hint naming only the team)."""
    partnered = ProposalFactory(recommended=True, partners=[manager.agency])
    client.force_login(manager)
    text = client.get(f"/awards/{page}/{partnered.pk}/").content.decode()
    assert "You have a conflict of interest with this proposal" in text
    assert "Your agency (MOF) is a partner on this proposal." in text
    assert 'name="note"' not in text and 'name="reason"' not in text
    client.force_login(colleague)
    assert "You have a conflict of interest" not in client.get(
        f"/awards/{page}/{partnered.pk}/").content.decode()
