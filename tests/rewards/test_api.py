"""The rewards API: bad input is a 400 with field messages and saves nothing."""

import pytest
from rest_framework.test import APIClient

from people.factories import UserFactory
from proposals.factories import ProposalFactory
from rewards.factories import NominationFactory
from rewards.models import Learning, Nomination, Recognition
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_self_nomination_is_400():
    person = UserFactory()
    response = api(person).post("/api/v1/nominations/",
                                {"nominee": person.pk, "justification": "Me"}, format="json")
    assert response.status_code == 400
    assert "yourself" in response.json()["nominee"][0]
    assert not Nomination.objects.exists()


def test_second_open_nomination_is_400():
    first = NominationFactory()
    response = api(UserFactory()).post(
        "/api/v1/nominations/", {"nominee": first.nominee_id, "justification": "Again"},
        format="json")
    assert response.status_code == 400
    assert "open nomination" in response.json()["nominee"][0]
    assert Nomination.objects.count() == 1


def test_grant_without_endorsement_is_400():
    nomination = NominationFactory()
    response = api(UserFactory(hr_officer=True)).post(
        f"/api/v1/nominations/{nomination.pk}/transitions/grant/", {"note": ""}, format="json")
    assert response.status_code == 400
    assert "endorse" in str(response.json())
    assert Nomination.objects.get().state == "nominated"
    assert not TransitionLog.objects.exists()


def test_not_grant_without_reason_is_400():
    nomination = NominationFactory(endorsed=True)
    response = api(UserFactory(hr_officer=True)).post(
        f"/api/v1/nominations/{nomination.pk}/transitions/not_grant/", {"note": "hm"},
        format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Nomination.objects.get().state == "endorsed"


def test_each_transition_through_the_api():
    fm, hr = UserFactory(fund_manager=True), UserFactory(hr_officer=True)
    nomination = NominationFactory()
    url = f"/api/v1/nominations/{nomination.pk}"
    assert api(fm).get(f"{url}/").json()["available_transitions"] == ["endorse"]
    assert api(hr).get(f"{url}/").json()["available_transitions"] == []  # endorse first
    assert api(nomination.nominated_by).get(f"{url}/").json()["available_transitions"] == [
        "withdraw"]
    response = api(fm).post(f"{url}/transitions/endorse/", {"note": "Yes"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "endorsed"
    assert api(hr).get(f"{url}/").json()["available_transitions"] == ["grant", "not_grant"]
    response = api(hr).post(f"{url}/transitions/not_grant/", {"reason": "No post"},
                            format="json")
    data = response.json()
    assert (data["state"], data["decision_reason"]) == ("not_granted", "No post")
    assert [h["transition"] for h in data["history"]] == ["endorse", "not_grant"]
    # A decided nomination: 409 with the current state.
    response = api(nomination.nominated_by).post(f"{url}/transitions/withdraw/", {},
                                                 format="json")
    assert response.status_code == 409 and response.json()["state"] == "not_granted"


def test_unknown_transition_is_404():
    nomination = NominationFactory()
    response = api(UserFactory(fund_manager=True)).post(
        f"/api/v1/nominations/{nomination.pk}/transitions/promote/", {}, format="json")
    assert response.status_code == 404


def test_learning_on_someone_elses_proposal_is_400():
    proposal = ProposalFactory(closed=True)
    response = api(UserFactory()).post("/api/v1/learnings/", {
        "proposal": proposal.pk, "title": "Not mine", "what_we_tried": "a",
        "what_happened": "b", "what_we_learned": "c", "kind": "failure"}, format="json")
    assert response.status_code == 400
    assert "proposal" in response.json()
    assert not Learning.objects.exists()


def test_learning_created_through_the_api():
    proposal = ProposalFactory(closed=True)
    response = api(proposal.lead).post("/api/v1/learnings/", {
        "proposal": proposal.pk, "title": "Ours", "what_we_tried": "a", "what_happened": "b",
        "what_we_learned": "c", "kind": "failure", "visibility": "public",
        "tags": ["Health", "sms"]}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["tags"] == ["health", "sms"] and data["authors"] == [proposal.lead.pk]
    filtered = api().get("/api/v1/learnings/", {"tag": "health", "kind": "failure"}).json()
    assert [r["title"] for r in filtered["results"]] == ["Ours"]


def test_recognition_of_oneself_is_400():
    fm = UserFactory(fund_manager=True)
    response = api(fm).post("/api/v1/recognitions/", {
        "recipient": fm.pk, "kind": "collaboration", "citation": "Me"}, format="json")
    assert response.status_code == 400 and "recipient" in response.json()
    assert not Recognition.objects.exists()


def test_recognition_needs_a_citation():
    response = api(UserFactory(fund_manager=True)).post("/api/v1/recognitions/", {
        "recipient": UserFactory().pk, "kind": "collaboration", "citation": " "}, format="json")
    assert response.status_code == 400
    assert not Recognition.objects.exists()


def test_nomination_list_is_filtered_to_what_the_user_may_see():
    mine = NominationFactory()
    NominationFactory()
    data = api(mine.nominee).get("/api/v1/nominations/").json()
    assert [r["id"] for r in data["results"]] == [mine.pk]
    assert api(UserFactory(hr_officer=True)).get("/api/v1/nominations/").json()["count"] == 2
