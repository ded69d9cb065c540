"""Bounded queries whatever the data size: each figure's page and API answer make the same
number of queries on the small world and on a world with many more proposals, reviews and
awards (the numbers are counted by the database, never in a loop over rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from analytics.figures import FIGURES, PUBLIC_FIGURES
from fund.models import Award, Tranche
from people.factories import AgencyFactory
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory, PanelFactory
from rewards.factories import LearningFactory

from .conftest import award, log, outcome

MAX_QUERIES = 20  # the session, the user, the filter form's choices and the figure's own


def grow(world, n=6):
    """n more proposals of each kind in R1 and in a new round, with reviews and money."""
    extra = AgencyFactory.create_batch(3)
    panel = PanelFactory(round=world["r1"])
    for i in range(n):
        partners = extra[: 1 + i % 3]
        rev = ProposalFactory(round=world["r1"], in_review=True, partners=partners)
        AssignmentFactory(proposal=rev, panel=panel, submitted=True, score=1 + i % 5)
        AssignmentFactory(proposal=rev, panel=panel, submitted=True, score=5 - i % 5)
        funded = ProposalFactory(round=world["r1"], outcome_reported=True, partners=partners)
        log(funded, "recommend", i)
        award(funded, "100", [("60", Tranche.State.REPORTED, i + 3),
                              ("40", Tranche.State.CANCELLED, None)],
              approved_day=i + 1, manager=world["manager"], state=Award.State.ACTIVE)
        outcome(funded, "succeeded", "50", funded.lead)
        LearningFactory(proposal=funded, public=True)
        ProposalFactory(round=world["r2"], rejected=True)
        ProposalFactory()  # a draft


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


URLS = ([f"/analytics/{k}/" for k in FIGURES] + [f"/api/v1/analytics/{k}/" for k in FIGURES]
        + [f"/analytics/public/{k}/" for k in PUBLIC_FIGURES]
        + [f"/analytics/{k}/?download=csv" for k in FIGURES])


def test_queries_do_not_grow_with_the_data(world, django_assert_max_num_queries):
    client = APIClient()
    client.force_login(world["manager"])
    for url in URLS:  # warm: sessions, content types
        client.get(url)
    small = {url: count(client, url) for url in URLS}
    grow(world)
    large = {url: count(client, url) for url in URLS}
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
    grow(world, n=12)  # a third size, each page held to the bound by pytest-django too
    for url in URLS:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("key", list(FIGURES))
def test_filters_do_not_add_queries_per_row(world, key):
    client = APIClient()
    client.force_login(world["manager"])
    url = f"/api/v1/analytics/{key}/?fund={world['funds'][0].pk}&year_from=2025"
    client.get(url)
    small = count(client, url)
    grow(world, n=3)
    assert count(client, url) == small


def test_downloads_carry_the_same_numbers(world):
    client = APIClient()
    client.force_login(world["manager"])
    csv = client.get(f"/analytics/funnel/?round={world['r1'].pk}&download=csv&table=rounds")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig").splitlines()
    assert text[0].startswith("Round,Fund,Submitted,")
    assert text[1].startswith("R1,Fund one,10,1,1,7,1,5,1,3,1,87.5,83.3,75.0")
    # Its name says the filters it was made with (a walkthrough saved two under one name).
    assert csv["Content-Disposition"] == (
        f'attachment; filename="funnel-round-{world["r1"].pk}-rounds.csv"')
    years = client.get("/analytics/funnel/?year_from=2024&year_to=2026&download=json")
    assert years["Content-Disposition"] == 'attachment; filename="funnel-years-2024-2026.json"'
    plain = client.get("/analytics/funnel/?download=json")
    assert plain["Content-Disposition"] == 'attachment; filename="funnel.json"'
    data = client.get(f"/analytics/money/?download=json&fund={world['funds'][0].pk}").json()
    assert data["summary"]["returned"] == "100.00"
    assert data["tables"]["totals"]["rows"][0] == {"measure": "Contributed", "amount": "1500.00",
                                                   "proposals": None}
    # An unknown table: 400 in text naming the tables there are (test_filter_input.py).
    refused = client.get("/analytics/funnel/?download=csv&table=nope")
    assert refused.status_code == 400 and b"rounds" in refused.content


def test_the_api_is_documented(world):
    client = APIClient()
    client.force_login(world["manager"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for key in FIGURES:
        operation = schema["paths"][f"/api/v1/analytics/{key}/"]["get"]
        assert {p["name"] for p in operation["parameters"]} >= {"fund", "round", "year_from",
                                                                "year_to", "agency"}
    assert "/api/v1/analytics/public/funnel/" in schema["paths"]


def test_the_page_draws_charts_with_their_words(world):
    client = APIClient()
    client.force_login(world["manager"])
    text = client.get(f"/analytics/funnel/?round={world['r1'].pk}").content.decode()
    assert '<svg class="chart-svg"' in text and 'role="img"' in text
    assert "Screening rate 87.5%, recommendation rate 83.3%, funding rate 75.0%." in text
