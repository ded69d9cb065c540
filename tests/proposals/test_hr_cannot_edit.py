"""HR officers change nothing, on the pages, through the API and in the services alike.

Issue 2: "an HR officer cannot edit anything". They read records and decide nominations;
the people who judge innovation records do not draft proposals themselves. The rule is
`proposals.permissions.can_draft_proposals`, applied by the drafting services, so the pages
and the API answer the same. A fund manager who is also an HR officer keeps drafting.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.services import attachment_add, proposal_create, proposal_update

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"


@pytest.fixture
def hr():
    return UserFactory(hr_officer=True)


@pytest.fixture
def round_():
    return RoundFactory()


def _api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _form(round_=None, **overrides) -> dict:
    data = {
        "title": "Shorter forms for civil service leave",
        "summary": "One page instead of four.",
        "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0", "team-MAX_NUM_FORMS": "50",
        "budget-TOTAL_FORMS": "0", "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0", "budget-MAX_NUM_FORMS": "100",
    }
    if round_ is not None:
        data["round"] = str(round_.pk)
    data.update(overrides)
    return data


def _pdf():
    return SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")


# --- someone else's proposal: refused everywhere ------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "in_review", "revision_requested"])
def test_hr_officer_cannot_edit_a_proposal_they_can_read(client, hr, state):
    proposal = ProposalFactory(**{state: True}, title="Original title")
    client.force_login(hr)
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 200

    page_get = client.get(reverse("proposals:edit", args=[proposal.pk]))
    page_post = client.post(reverse("proposals:edit", args=[proposal.pk]), _form(title="HR's"))
    api_patch = _api(hr).patch(f"{API}{proposal.pk}/", {"title": "HR's"}, format="json")
    api_upload = _api(hr).post(f"{API}{proposal.pk}/attachments/", {"file": _pdf()},
                               format="multipart")

    assert (page_get.status_code, page_post.status_code) == (403, 403)
    assert (api_patch.status_code, api_upload.status_code) == (403, 403)
    proposal.refresh_from_db()
    assert proposal.title == "Original title"
    assert not proposal.attachments.exists()


def test_hr_officer_cannot_even_find_someone_elses_draft(client, hr):
    draft = ProposalFactory(ready=True, title="Original title")
    client.force_login(hr)
    assert client.get(reverse("proposals:edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("proposals:edit", args=[draft.pk]), _form()).status_code == 404
    submit = reverse("proposals:transition", args=[draft.pk, "submit"])
    assert client.post(submit).status_code == 404
    # The API refuses an HR officer's write before it looks the proposal up.
    assert _api(hr).patch(f"{API}{draft.pk}/", {"title": "x"}, format="json").status_code == 403
    assert _api(hr).post(f"{API}{draft.pk}/transitions/submit/", {}, format="json"
                         ).status_code == 403
    draft.refresh_from_db()
    assert (draft.title, draft.state) == ("Original title", Proposal.State.DRAFT)


def test_the_services_refuse_an_hr_officer_whoever_calls_them(hr):
    for state in ("ready", "revision_requested"):
        proposal = ProposalFactory(**{state: True})
        with pytest.raises(PermissionDenied):
            proposal_update(actor=hr, proposal=proposal, title="Changed by HR")
        with pytest.raises(PermissionDenied):
            attachment_add(actor=hr, proposal=proposal, upload=_pdf())


# --- nothing of their own either ----------------------------------------------------------------


def test_hr_officer_cannot_draft_on_the_pages(client, hr, round_):
    client.force_login(hr)
    assert client.get(reverse("proposals:create")).status_code == 403
    response = client.post(reverse("proposals:create"), _form(round_))
    assert response.status_code == 403
    assert "do not draft" in response.content.decode()
    assert not Proposal.objects.exists()


def test_hr_officer_cannot_draft_through_the_api(hr, round_):
    body = {"round": round_.pk, "title": "Leave forms", "partner_agencies": [AgencyFactory().pk]}
    assert _api(hr).post(API, body, format="json").status_code == 403
    assert not Proposal.objects.exists()


def test_the_service_refuses_an_hr_officer_with_a_reason(hr, round_):
    with pytest.raises(PermissionDenied, match="HR officers"):
        proposal_create(actor=hr, round_=round_, title="Leave forms")
    assert not Proposal.objects.exists()


def test_hr_officer_on_a_team_still_changes_nothing(client, hr):
    proposal = ProposalFactory(ready=True, title="Original title")
    TeamMemberFactory(proposal=proposal, user=hr)
    with pytest.raises(PermissionDenied):
        proposal_update(actor=hr, proposal=proposal, title="Team edit")
    assert _api(hr).patch(f"{API}{proposal.pk}/", {"title": "API edit"}, format="json"
                          ).status_code == 403
    client.force_login(hr)
    assert client.get(reverse("proposals:edit", args=[proposal.pk])).status_code == 403
    proposal.refresh_from_db()
    assert proposal.title == "Original title"


def test_a_fund_manager_who_is_also_hr_officer_drafts(round_):
    from people.models import FUND_MANAGERS, HR_OFFICERS

    both = UserFactory(roles=[FUND_MANAGERS, HR_OFFICERS])
    proposal = proposal_create(actor=both, round_=round_, title="Leave forms")
    assert proposal.lead == both
