"""A register entry (DOMAIN.md: title, summary, agencies, outcome) that the viewer may not
open is found and quoted on its title and summary only: its other texts (approach, expected
outcomes, ...) are not the viewer's to search, in the search, live similar work or the
stored similar work."""

import pytest

from proposals.models import Proposal
from search.selectors import search, similar_to, stored_similar_work
from search.services import refresh_similar

HIDDEN = ("Drone couriers carry the kits to rural clinics; the couriers are paid per "
          "flight and the drone logs every landing.")


@pytest.fixture
def hidden(world):
    """The funded proposal's approach, which its register entry does not show."""
    Proposal.objects.filter(pk=world["funded"].pk).update(approach=HIDDEN,
                                                        expected_outcomes="Drone landings")
    return world


def ids(hits):
    return {h.obj.pk for h in hits}


def test_a_register_entry_never_matches_on_a_text_it_does_not_show(hidden):
    funded = hidden["funded"].pk
    assert funded not in ids(search(viewer=hidden["stranger"], q="drone couriers").proposals)
    # Who may open it finds it by the same words.
    for who in ("other_lead", "fund_manager"):
        assert funded in ids(search(viewer=hidden[who], q="drone couriers").proposals), who
    # Its title and summary still find it for everyone signed in.
    assert funded in ids(search(viewer=hidden["stranger"], q="gewogs").proposals)


def test_a_register_entry_is_quoted_from_its_summary_only(hidden):
    # "rural" is in the title and the hidden approach, not in the summary.
    hit = next(h for h in search(viewer=hidden["stranger"], q="rural").proposals
               if h.obj.pk == hidden["funded"].pk)
    assert "rural" in hit.title_html.lower()
    assert "drone" not in hit.snippet_html.lower() and "courier" not in hit.snippet_html.lower()
    assert "gewogs" in hit.snippet_html  # the summary
    lead_hit = next(h for h in search(viewer=hidden["other_lead"], q="rural").proposals
                    if h.obj.pk == hidden["funded"].pk)
    assert "drone" in lead_hit.snippet_html.lower()  # who may open it sees the passage


def test_the_api_quotes_a_register_entry_from_its_summary_only(hidden, client):
    client.force_login(hidden["stranger"])
    body = client.get("/api/v1/search/", {"q": "rural"}).json()
    text = str(body).lower()
    assert str(hidden["funded"].title).lower() in text
    assert "drone" not in text and "courier" not in text


@pytest.fixture
def drone_idea(hidden):
    from proposals.factories import ProposalFactory

    return ProposalFactory(round=hidden["funded"].round, lead=hidden["stranger"], in_review=True,
                           title="Drone couriers for rural clinics",
                           summary="Drone couriers fly medicine kits to health posts.",
                           problem="Clinics wait weeks for drone-free road deliveries.")


def test_live_similar_work_never_matches_a_register_entry_on_hidden_text(drone_idea, hidden):
    funded = hidden["funded"].pk
    assert funded not in ids(similar_to(drone_idea, hidden["stranger"]).proposals)
    assert funded in ids(similar_to(drone_idea, hidden["fund_manager"]).proposals)


def test_stored_similar_work_never_shows_a_register_entry_found_on_hidden_text(drone_idea,
                                                                             hidden):
    refresh_similar(proposal_id=drone_idea.pk)
    funded = hidden["funded"].pk
    assert funded in ids(stored_similar_work(drone_idea, hidden["fund_manager"]).proposals)
    assert funded not in ids(stored_similar_work(drone_idea, hidden["stranger"]).proposals)
