"""The home page's sections at national scale (issue 16): one query per counted section (its
rows carry the bounded count), the person's own proposals read from their ids, the chair's
panels asked once per page; the same rows as the plain querysets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.selectors import my_proposals
from reviews.factories import PanelFactory

pytestmark = pytest.mark.django_db


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return [q["sql"] for q in queries]


@pytest.mark.parametrize("bound", [3, 100])
def test_counted_section_is_one_query_with_the_plain_rows_and_bounded_count(monkeypatch, bound):
    from portal import home

    monkeypatch.setattr(home, "COUNT_BOUND", bound)
    for _ in range(4):
        ProposalFactory(submitted=True, partners=[], budget=False)
    qs = Proposal.objects.filter(state=Proposal.State.SUBMITTED).select_related("round")
    ordered = qs.order_by("-submitted_at", "-id")
    with CaptureQueriesContext(connection) as queries:
        section = home.counted_section(ordered, limit=3)
    assert len(queries) == 1
    assert [p.pk for p in section["items"]] == [p.pk for p in ordered[:3]]
    assert section["count"] == min(4, bound + 1)
    assert section["count_label"] == ("3+" if bound == 3 else "4")
    assert section["more"] is True
    empty = home.counted_section(qs.filter(state=Proposal.State.DRAFT).order_by("pk"))
    assert empty == {"items": [], "count": 0, "count_label": "0", "more": False}


def test_my_proposals_are_the_selector_rows(civil_servant):
    from portal import home

    led = ProposalFactory(lead=civil_servant, budget=False)
    joined = ProposalFactory(budget=False)
    TeamMemberFactory(proposal=joined, user=civil_servant)
    invited = ProposalFactory(budget=False)
    TeamMemberFactory(proposal=invited, user=civil_servant, state="invited", accepted_at=None)
    ProposalFactory(budget=False)  # someone else's
    assert set(home.my_proposals(civil_servant)) == set(my_proposals(user=civil_servant))
    assert {led, joined} <= set(home.my_proposals(civil_servant))
    assert invited not in set(home.my_proposals(civil_servant))


def test_drafts_and_revisions_in_one_query_per_state_newest_first(civil_servant):
    from portal import home

    drafts = [ProposalFactory(lead=civil_servant, budget=False) for _ in range(7)]
    revised = ProposalFactory(lead=civil_servant, revision_requested=True, budget=False)
    with CaptureQueriesContext(connection) as queries:
        found = home.my_proposals_by_state(
            civil_servant, (Proposal.State.REVISION_REQUESTED, Proposal.State.DRAFT))
    assert len(queries) == 1
    expected = sorted(drafts, key=lambda p: (p.updated_at, p.pk), reverse=True)[:5]
    assert found[Proposal.State.DRAFT] == {"items": expected, "more": True}
    assert found[Proposal.State.REVISION_REQUESTED] == {"items": [revised], "more": False}


def test_the_home_page_never_lists_a_chairs_panels(client):
    """Whether the person has a chair's duty is one of the home page's gates: the chair's
    sections and the navigation's link need only that, never the list of panels."""
    chair = UserFactory()
    PanelFactory(chair=chair, members=[UserFactory()])
    client.force_login(chair)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    panels = [q["sql"] for q in queries
              if q["sql"].startswith("SELECT") and 'FROM "reviews_panel"' in q["sql"].split("WHERE")[0]
              and '"reviews_panelstandin"' in q["sql"].split("WHERE")[0]]
    assert panels == []
    assert "Review panels" in page and "Proposals short of reviewers" in page


def test_a_civil_servants_home_queries_do_not_grow_with_their_proposals(client, civil_servant):
    client.force_login(civil_servant)
    ProposalFactory(lead=civil_servant, budget=False)
    client.get("/")
    one = _queries(client)
    for _ in range(8):
        ProposalFactory(lead=civil_servant, budget=False)
        ProposalFactory(lead=civil_servant, revision_requested=True, budget=False)
    many = _queries(client)
    assert len(many) == len(one)
    assert len(one) <= 15, one
