"""A learning names its proposal (title, id, agencies) only to those who may see that
proposal: its team, who may see it once submitted, and everyone signed in once it is in the
register of funded work. A learning linked to a draft is read by others without it, in every
channel: the page, the library's filters, the API, the export and search. A co-author who is
not on the proposal's team keeps the link when they edit."""

import csv
import io

import pytest

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from rewards.factories import LearningAuthorFactory, LearningFactory
from rewards.models import Learning
from search.selectors import search

from ..api.conftest import client_for

DRAFT_TITLE = "Secret yak cheese cooperative"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    lead_agency, partner = AgencyFactory(code="LDA"), AgencyFactory(code="PRT")
    lead = UserFactory(agency=lead_agency)
    draft = ProposalFactory(lead=lead, partners=[partner], title=DRAFT_TITLE)
    learning = LearningFactory(created_by=lead, proposal=draft, title="Herders and markets",
                               what_we_learned="Herders trust a cooperative they chose.")
    return {"lead": lead, "draft": draft, "learning": learning, "partner": partner,
            "stranger": UserFactory(agency=AgencyFactory(code="STR")),
            "fund_manager": UserFactory(fund_manager=True)}


def test_the_learning_page_names_a_draft_only_to_its_team(world, client):
    url = f"/learnings/{world['learning'].pk}/"
    client.force_login(world["stranger"])
    page = client.get(url)
    assert page.status_code == 200 and b"Herders and markets" in page.content
    assert DRAFT_TITLE.encode() not in page.content
    client.force_login(world["lead"])
    assert DRAFT_TITLE.encode() in client.get(url).content


def test_the_library_filters_never_reveal_a_drafts_agencies_or_id(world, client):
    client.force_login(world["stranger"])
    partner = world["partner"].pk
    assert b"Herders and markets" in client.get("/learnings/").content
    assert b"Herders and markets" not in client.get("/learnings/", {"agency": partner}).content
    for query in ({"agency": "PRT"}, {"proposal": world["draft"].pk}):
        body = client_for(world["stranger"]).get("/api/v1/learnings/", query).json()
        assert not body["results"], query
    client.force_login(world["lead"])
    assert b"Herders and markets" in client.get("/learnings/", {"agency": partner}).content
    body = client_for(world["lead"]).get("/api/v1/learnings/", {"agency": "PRT"}).json()
    assert [r["id"] for r in body["results"]] == [world["learning"].pk]


def test_the_api_names_a_draft_only_to_its_team(world):
    url = f"/api/v1/learnings/{world['learning'].pk}/"
    assert client_for(world["stranger"]).get(url).json()["proposal"] is None
    assert client_for(world["lead"]).get(url).json()["proposal"] == world["draft"].pk
    listed = client_for(world["stranger"]).get("/api/v1/learnings/").json()["results"]
    assert [r["proposal"] for r in listed] == [None]


def test_the_export_names_a_draft_to_nobody_who_may_not_see_it(world, client):
    client.force_login(world["fund_manager"])  # fund managers see submitted proposals only
    response = client.get("/data/export/learnings.csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    [row] = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert (row["proposal_id"], row["proposal"]) == ("", "")
    assert row["title"] == "Herders and markets"


def test_search_names_a_draft_only_to_its_team(world, client):
    [hit] = search(viewer=world["stranger"], q="herders cooperative").learnings
    assert hit.proposal is None and hit.agencies == []
    client.force_login(world["stranger"])
    page = client.get("/search/", {"q": "herders cooperative"})
    assert b"and markets" in page.content and DRAFT_TITLE.encode() not in page.content
    [hit] = search(viewer=world["lead"], q="herders cooperative").learnings
    assert hit.proposal == world["draft"]
    assert {a.code for a in hit.agencies} == {"LDA", "PRT"}


def test_a_co_author_off_the_team_keeps_the_link_when_editing(world, client):
    colleague = UserFactory(agency=AgencyFactory(code="COL"))
    LearningAuthorFactory(learning=world["learning"], user=colleague)
    client.force_login(colleague)
    url = f"/learnings/{world['learning'].pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200 and b'name="proposal"' not in form.content
    response = client.post(url, {
        "title": "Herders and markets, revised", "kind": Learning.Kind.MIXED,
        "what_we_tried": "x", "what_happened": "y", "what_we_learned": "z",
        "visibility": Learning.Visibility.INTERNAL, "tags": ""})
    assert response.status_code == 302, response.content[:2000]
    world["learning"].refresh_from_db()
    assert world["learning"].title == "Herders and markets, revised"
    assert world["learning"].proposal_id == world["draft"].pk
