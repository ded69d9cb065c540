"""Filters of the rewards lists: a bad value is a 400 naming the filter in the API (never a
500), and on the pages an ignored filter with its message; good values still narrow."""

import pytest
from rest_framework.test import APIClient

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from rewards import selectors
from rewards.factories import LearningFactory, NominationFactory, RecognitionFactory

pytestmark = pytest.mark.django_db

BAD = ["abc", "1.5", "-3", "1 OR 1=1"]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def hr():
    return UserFactory(hr_officer=True)


# --- the API: every filter with a bad value ------------------------------------------------------
API_FILTERS = [
    ("/api/v1/nominations/", "nominee"),
    ("/api/v1/nominations/", "agency"),
    ("/api/v1/nominations/", "state"),
    ("/api/v1/recognitions/", "recipient"),
    ("/api/v1/recognitions/", "kind"),
    ("/api/v1/learnings/", "proposal"),
    ("/api/v1/learnings/", "author"),
    ("/api/v1/learnings/", "agency"),
    ("/api/v1/learnings/", "kind"),
    ("/api/v1/learnings/", "visibility"),
]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(("url", "name"), API_FILTERS)
def test_api_bad_filter_value_is_400_naming_the_filter(url, name, value, hr):
    response = api(hr).get(url, {name: value})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert list(body) == [name] and body[name] and isinstance(body[name][0], str)


@pytest.mark.parametrize(("url", "name"), [
    ("/api/v1/nominations/", "nominee"), ("/api/v1/nominations/", "agency"),
    ("/api/v1/recognitions/", "recipient"), ("/api/v1/learnings/", "author"),
    ("/api/v1/learnings/", "agency"),
])
@pytest.mark.parametrize("value", ["987654", "99999999999999999999999"])
def test_api_filter_on_a_person_or_agency_that_does_not_exist_is_400(url, name, value, hr):
    response = api(hr).get(url, {name: value})
    assert response.status_code == 400 and list(response.json()) == [name]


def test_api_filter_on_a_proposal_id_that_does_not_exist_is_an_empty_list(hr):
    """Proposal ids are not confirmed or denied through the library's filter."""
    LearningFactory()
    for value in ("987654", "99999999999999999999999"):
        response = api(hr).get("/api/v1/learnings/", {"proposal": value})
        assert response.status_code == 200 and response.json()["count"] == 0


def test_api_good_filters_still_narrow(hr):
    health, farm = AgencyFactory(code="MOH"), AgencyFactory(code="MOAL")
    nurse, farmer = UserFactory(agency=health), UserFactory(agency=farm)
    proposal = ProposalFactory(closed=True, lead=farmer)
    NominationFactory(nominee=nurse)
    NominationFactory(nominee=farmer, endorsed=True)
    RecognitionFactory(recipient=nurse, kind="collaboration")
    RecognitionFactory(recipient=farmer, kind="learning_champion")
    LearningFactory(title="Ward rounds", created_by=nurse, failure=True)
    LearningFactory(title="Price board", created_by=farmer, proposal=proposal, public=True)

    def ids(url, **params):
        data = api(hr).get(url, params).json()
        return data["count"], data["results"]

    count, [row] = ids("/api/v1/nominations/", nominee=nurse.pk)
    assert count == 1 and row["nominee"] == nurse.pk
    assert ids("/api/v1/nominations/", agency=farm.pk)[1][0]["nominee"] == farmer.pk
    assert ids("/api/v1/nominations/", state="endorsed")[1][0]["nominee"] == farmer.pk
    assert ids("/api/v1/recognitions/", recipient=farmer.pk)[1][0]["kind"] == "learning_champion"
    assert ids("/api/v1/recognitions/", kind="collaboration")[1][0]["recipient"] == nurse.pk

    def titles(**params):
        return [r["title"] for r in ids("/api/v1/learnings/", **params)[1]]

    assert titles(author=nurse.pk) == ["Ward rounds"]
    assert titles(proposal=proposal.pk) == ["Price board"]
    assert titles(agency="moal") == ["Price board"]  # by code, in any case
    assert titles(agency=health.pk) == ["Ward rounds"]
    assert titles(kind="failure") == ["Ward rounds"]
    assert titles(visibility="public") == ["Price board"]
    assert titles(q="ward", kind="failure") == ["Ward rounds"]


def test_api_filters_are_in_the_schema(hr):
    schema = api(hr).get("/api/schema/", {"format": "json"}).json()
    params = {
        path: {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        for path in ("/api/v1/nominations/", "/api/v1/recognitions/", "/api/v1/learnings/")
    }
    assert {"state", "nominee", "agency"} <= params["/api/v1/nominations/"]
    assert {"recipient", "kind"} <= params["/api/v1/recognitions/"]
    assert {"q", "tag", "agency", "kind", "visibility", "proposal", "author"} <= params[
        "/api/v1/learnings/"]


# --- the selectors, whoever calls them -------------------------------------------------------------
@pytest.mark.parametrize(("select", "name"), [
    (selectors.nomination_list, "nominee"), (selectors.nomination_list, "agency"),
    (selectors.recognition_list, "recipient"), (selectors.learning_list, "proposal"),
    (selectors.learning_list, "author"),
])
def test_selector_refuses_an_id_filter_that_is_not_an_id(select, name, hr):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        list(select(viewer=hr, filters={name: "abc"}))
    assert name in refused.value.message_dict


# --- the pages: a bad value is ignored with its message, never a 500 -------------------------------
PAGE_FILTERS = [
    ("/learnings/", "agency"), ("/learnings/", "tag"), ("/learnings/", "kind"),
    ("/learnings/", "proposal"), ("/learnings/", "author"),
    ("/learnings/public/", "agency"), ("/learnings/public/", "tag"),
    ("/learnings/public/", "kind"),
    ("/nominations/", "state"), ("/nominations/", "nominee"), ("/nominations/", "agency"),
    ("/recognitions/", "recipient"), ("/recognitions/", "kind"),
    ("/people/", "agency"), ("/people/", "position_level"), ("/people/", "has_recognition"),
    ("/people/", "has_nomination"),
]


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999"])
@pytest.mark.parametrize(("url", "name"), PAGE_FILTERS)
def test_page_with_a_bad_filter_value_answers(client, url, name, value, hr):
    client.force_login(hr)
    assert client.get(url, {name: value}).status_code == 200


def test_learning_page_keeps_the_good_filters_and_says_which_one_it_ignored(client):
    LearningFactory(title="Ward rounds", failure=True)
    LearningFactory(title="Price board", success=True)
    client.force_login(UserFactory())
    body = client.get("/learnings/", {"kind": "failure", "agency": "abc"}).content.decode()
    assert "Ward rounds" in body and "Price board" not in body
    assert 'role="alert"' in body


def test_nomination_page_keeps_the_good_filters_and_says_which_one_it_ignored(client, hr):
    NominationFactory(nominee=UserFactory(first_name="Deki", last_name="Zam"))
    NominationFactory(nominee=UserFactory(first_name="Sangay", last_name="Yeshi"),
                      endorsed=True)
    client.force_login(hr)
    body = client.get("/nominations/", {"state": "endorsed", "agency": "abc"}).content.decode()
    assert "Sangay Yeshi" in body and "Deki Zam" not in body
    assert 'role="alert"' in body


def test_people_page_keeps_the_good_filters(client, hr):
    UserFactory(first_name="Deki", last_name="Zam", position_level="P2")
    UserFactory(first_name="Sangay", last_name="Yeshi", position_level="P4")
    client.force_login(hr)
    body = client.get("/people/", {"position_level": "P4", "agency": "abc"}).content.decode()
    assert "Sangay Yeshi" in body and "Deki Zam" not in body


@pytest.mark.parametrize(("url", "name"), [
    ("/nominations/new/", "nominee"), ("/learnings/new/", "proposal"),
    ("/recognitions/new/", "recipient"),
])
@pytest.mark.parametrize("value", ["abc", "99999999999999999999999"])
def test_create_page_with_a_bad_preselection_answers(client, url, name, value):
    client.force_login(UserFactory(fund_manager=True))
    assert client.get(url, {name: value}).status_code == 200
