"""Search, similar work and likely duplicates run the same number of queries whatever the
number of matches, and the queue's duplicates whatever the number of rows."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from rewards.factories import LearningFactory
from search.selectors import likely_duplicates, search, similar_to

from ..api.conftest import client_for


def grow(world, n):
    """n more funded proposals (the register) and n learnings that match, from n agencies."""
    made = []
    for i in range(n):
        agency = AgencyFactory()
        lead = UserFactory(agency=agency)
        proposal = ProposalFactory(
            round=world["round"], lead=lead, partners=[world["moe"]], funded=True,
            title=f"Antenatal SMS reminders for mothers, district {i}",
            summary="Mothers receive reminders of antenatal visits by SMS.")
        Award.objects.create(proposal=proposal, amount=proposal.requested_amount,
                             approved_by=world["fund_manager"], approved_at=timezone.now())
        LearningFactory(proposal=proposal, title=f"Antenatal reminders lesson {i}",
                        what_we_learned="Mothers without phones missed antenatal visits.")
        made.append(proposal)
    return made


def count(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def counts(world):
    lead, fm = world["lead"], world["fund_manager"]
    page = Client()
    page.force_login(lead)
    api = client_for(lead)
    queue = [p for p in world["queue"]]
    return {
        "search": count(lambda: search(viewer=lead, q="antenatal reminders")),
        "similar": count(lambda: similar_to(world["draft"], lead)),
        "page": count(lambda: page.get("/search/", {"q": "antenatal mothers"})),
        "api": count(lambda: api.get("/api/v1/search/", {"q": "antenatal mothers"})),
        "duplicates": count(lambda: likely_duplicates(queue, fm)),
    }


def test_query_counts_do_not_grow_with_the_data(world):
    world["queue"] = grow(world, 2)
    counts(world)  # caches filled once per process (content types, the database's features)
    small = counts(world)
    world["queue"] = grow(world, 12)
    large = counts(world)
    assert small == large, (small, large)
    assert large["duplicates"] <= 2
    assert large["similar"] <= 8
    # proposals: ranked twice (what the viewer may open; the register on title and summary)
    # and quoted twice (the same split)
    assert large["search"] <= 12
