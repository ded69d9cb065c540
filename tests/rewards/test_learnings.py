"""Learnings: who may write them, the library's search, the public page."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from rewards import selectors, services
from rewards.factories import LearningFactory
from rewards.models import Learning

pytestmark = pytest.mark.django_db

TEXT = {"what_we_tried": "Tried it.", "what_happened": "It happened.",
        "what_we_learned": "We learned."}


def test_lead_and_team_write_a_learning_on_their_proposal():
    proposal = ProposalFactory(closed=True)
    member = TeamMemberFactory(proposal=proposal).user
    for author in (proposal.lead, member):
        learning = services.learning_create(actor=author, title=f"By {author}", kind="failure",
                                            proposal=proposal, tags="Health, SMS, health", **TEXT)
        assert learning.authors == [author]
        assert sorted(t.name for t in learning.tags.all()) == ["health", "sms"]


def test_a_learning_on_a_proposal_one_is_not_part_of_is_refused():
    proposal = ProposalFactory(closed=True)
    with pytest.raises(ValidationError) as error:
        services.learning_create(actor=UserFactory(), title="Not mine", kind="success",
                                 proposal=proposal, **TEXT)
    assert "lead or are on the team" in error.value.message_dict["proposal"][0]
    assert not Learning.objects.exists()


def test_a_standalone_learning_needs_no_proposal():
    learning = services.learning_create(actor=UserFactory(), title="Alone", kind="mixed", **TEXT)
    assert learning.proposal is None and learning.visibility == "internal"


@pytest.mark.parametrize("field,value", [("title", " "), ("what_we_learned", ""),
                                         ("kind", "disaster"), ("visibility", "secret")])
def test_bad_learning_input_is_refused(field, value):
    data = {"title": "T", "kind": "failure", "visibility": "public", **TEXT, field: value}
    with pytest.raises(ValidationError) as error:
        services.learning_create(actor=UserFactory(), **data)
    assert field in error.value.message_dict
    assert not Learning.objects.exists()


def test_only_authors_edit():
    learning = LearningFactory()
    with pytest.raises(PermissionDenied):
        services.learning_update(actor=UserFactory(), learning=learning, title="Mine now")
    services.learning_update(actor=learning.created_by, learning=learning, title="Better title")
    assert Learning.objects.get(pk=learning.pk).title == "Better title"


def test_page_refuses_a_proposal_one_is_not_part_of(client):
    proposal = ProposalFactory(closed=True)
    client.force_login(UserFactory())
    response = client.post("/learnings/new/", {"title": "T", "kind": "failure",
                                               "visibility": "internal",
                                               "proposal": proposal.pk, **TEXT})
    assert response.status_code == 400
    assert 'value="T"' in response.content.decode()  # what was typed is kept
    assert not Learning.objects.exists()


def test_page_creates_a_learning_on_my_proposal(client):
    proposal = ProposalFactory(closed=True)
    client.force_login(proposal.lead)
    response = client.post("/learnings/new/", {"title": "What we learned", "kind": "failure",
                                               "visibility": "public", "tags": "health",
                                               "proposal": proposal.pk, **TEXT})
    learning = Learning.objects.get()
    assert response.status_code == 302 and response.url == f"/learnings/{learning.pk}/"
    assert learning.proposal == proposal and learning.is_public


# --- the library's search ------------------------------------------------------------------------
@pytest.fixture
def library(db):
    health, farm = AgencyFactory(code="MOH"), AgencyFactory(code="MOAL")
    nurse = UserFactory(agency=health)
    farmer = UserFactory(agency=farm)
    partnered = ProposalFactory(closed=True, lead=farmer, partners=[AgencyFactory(code="GNH")])
    return {
        "sms": LearningFactory(title="SMS queue numbers", created_by=nurse, failure=True,
                               what_we_learned="Older patients need paper tickets.",
                               tags=["health", "queues"]),
        "board": LearningFactory(title="Market price board", created_by=farmer, success=True,
                                 what_we_learned="Farmers keep it current.", tags=["agriculture"],
                                 proposal=partnered),
        "drivers": LearningFactory(title="Pooled drivers", created_by=nurse, kind="mixed",
                                   what_we_learned="Keep one car for urgent trips.",
                                   tags=["transport"], public=True),
    }


def _titles(filters, viewer=None):
    viewer = viewer or UserFactory()
    return {lr.title for lr in selectors.learning_list(viewer=viewer, filters=filters)}


def test_search_by_words_requires_every_word(library):
    assert _titles({"q": "paper patients"}) == {"SMS queue numbers"}
    assert _titles({"q": "paper farmers"}) == set()
    assert _titles({"q": "QUEUES"}) == {"SMS queue numbers"}  # a tag counts as a word


def test_search_by_tag_kind_and_agency(library):
    assert _titles({"tag": "agriculture"}) == {"Market price board"}
    assert _titles({"kind": "failure"}) == {"SMS queue numbers"}
    assert _titles({"agency": "MOH"}) == {"SMS queue numbers", "Pooled drivers"}
    # A partner agency of the learning's proposal finds it too, for who may see the proposal
    # (a fund manager); a proposal outside the register is not named to anyone else.
    assert _titles({"agency": "GNH"}, UserFactory(fund_manager=True)) == {"Market price board"}
    assert _titles({"agency": "GNH"}) == set()


def test_library_page_filters(client, library):
    client.force_login(UserFactory())
    body = client.get("/learnings/", {"kind": "failure"}).content.decode()
    assert "SMS queue numbers" in body and "Market price board" not in body


def test_failure_learnings_are_placed_like_any_other(library):
    now = timezone.now()
    for i, key in enumerate(["sms", "board", "drivers"]):
        Learning.objects.filter(pk=library[key].pk).update(published_at=now - timedelta(days=i))
    ordered = [lr.title for lr in selectors.learning_list(viewer=UserFactory())]
    assert ordered == ["SMS queue numbers", "Market price board", "Pooled drivers"]


def test_public_page_shows_only_public_learnings_to_anyone(client, library):
    response = client.get("/learnings/public/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pooled drivers" in body
    assert "SMS queue numbers" not in body and "Market price board" not in body
    client.force_login(UserFactory(hr_officer=True))  # signed in changes nothing there
    assert "SMS queue numbers" not in client.get("/learnings/public/").content.decode()


def test_internal_learning_is_not_readable_anonymously(client, library):
    assert client.get(f"/learnings/{library['sms'].pk}/").status_code == 302
    assert client.get(f"/learnings/{library['drivers'].pk}/").status_code == 200


def test_public_api_lists_only_public_learnings_anonymously(library):
    from rest_framework.test import APIClient

    data = APIClient().get("/api/v1/learnings/").json()
    assert [r["title"] for r in data["results"]] == ["Pooled drivers"]
