"""No figure reveals what its viewer may not see; filters: empty shows all, impossible is a
clear message (a form error on the page, 400 in the API)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from analytics.figures import build
from analytics.public import THRESHOLD
from people.factories import UserFactory
from proposals.models import Proposal


def api_get(user, url):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(url)


def test_drafts_are_never_counted(world):
    figure = build("funnel", viewer=world["manager"], chosen={"round": world["r1"]})
    assert figure.summary["submitted"] == 10  # 12 proposals in R1, two never submitted
    pairs = build("collaboration", viewer=world["manager"], chosen={"round": world["r1"]})
    # The draft and the withdrawn draft are both A+B: A-B stays at the four counted.
    assert {(r["agency"], r["with_agency"]): r["shared_proposals"]
            for r in pairs.table("pairs").rows}[("AAA", "BBB")] == 4


def test_a_conflicted_fund_manager_sees_nothing_of_those_reviews(world):
    """Agency A leads or partners in every reviewed proposal of R1: a fund manager of A sees
    none of their assignments, reviewers or agreement (the unconflicted one sees them)."""
    conflicted = UserFactory(fund_manager=True, agency=world["agencies"]["A"])
    figure = build("reviewing", viewer=conflicted, chosen={"round": world["r1"]})
    assert figure.summary["assignments"] == 0
    assert figure.summary["proposals_with_two_or_more_reviews"] == 0
    assert figure.table("reviewers").rows == []
    page = APIClient()
    page.force_login(conflicted)
    text = page.get("/analytics/reviewing/", {"round": world["r1"].pk}).content.decode()
    for reviewer in world["reviewers"]:
        assert reviewer.get_full_name() not in text
    clear = build("reviewing", viewer=world["manager"], chosen={"round": world["r1"]})
    assert clear.summary["assignments"] == 7


def test_a_fund_manager_whose_own_review_is_open_sees_nothing_of_that_proposals_reviews(world):
    """Blind review (found by an outsider's attack): a fund manager who sits on the panel and
    has not yet submitted their own review of a proposal gets nothing of its reviews in the
    Reviewing figure, as the ranking sets it apart for them."""
    from reviews.factories import AssignmentFactory
    from reviews.models import Panel

    manager = world["manager"]
    before = build("reviewing", viewer=manager, chosen={"round": world["r1"]})
    assert before.summary["assignments"] == 7
    assert before.summary["proposals_with_two_or_more_reviews"] == 2  # rev and rej
    AssignmentFactory(proposal=world["p"]["rev"], reviewer=manager,
                      panel=Panel.objects.get(round=world["r1"]))
    after = build("reviewing", viewer=manager, chosen={"round": world["r1"]})
    assert after.summary["assignments"] == 5  # rev's two reviews left out, and their own
    assert after.summary["proposals_with_two_or_more_reviews"] == 1


def test_a_new_conflict_is_never_served_from_the_cache(world, settings):
    settings.ANALYTICS_CACHE_SECONDS = 300
    cache.clear()
    manager = world["manager"]
    before = build("reviewing", viewer=manager, chosen={"round": world["r1"]})
    assert before.summary["assignments"] == 7
    manager.agency = world["agencies"]["A"]
    manager.save()
    after = build("reviewing", viewer=manager, chosen={"round": world["r1"]})
    assert after.summary["assignments"] == 0
    # The other figures are the same for every fund manager: kept.
    first = build("funnel", viewer=manager, chosen={})
    assert build("funnel", viewer=world["lead"][world["agencies"]["B"]],
                 chosen={}).computed_at == first.computed_at
    cache.clear()


def test_hr_officers_get_no_reviewing_figure(world, client):
    hr = UserFactory(hr_officer=True)
    assert api_get(hr, "/api/v1/analytics/reviewing/").status_code == 403
    client.force_login(hr)
    assert client.get("/analytics/reviewing/").status_code == 403
    # A fund manager who is also an HR officer runs the fund: scores are theirs to see.
    both = UserFactory(fund_manager=True, roles=["hr_officers"])
    assert api_get(both, "/api/v1/analytics/reviewing/").status_code == 200


def test_the_public_page_suppresses_small_cells(world, client):
    # Every record key 0, so every cell key is 0 and each count's noise is the first entry of
    # its row of analytics.public.PTABLE: row n starts at (97·n) mod 256 of the column (96
    # zeros at 0–95, +1 at 96–139, −1 at 140–183, +2 at 184–209, −2 at 210–235, ...).
    Proposal.objects.update(record_key=0)
    figure = build("funnel", viewer=None, chosen={"round": world["r1"]}, public=True)
    r1 = figure.table("rounds").rows[0]
    assert r1["submitted"] == 10  # 10: 970 mod 256 = 202, +2: 12, to the nearest 5: 10
    for key in ("awaiting_screening", "screened_out", "not_recommended", "declined", "funded",
                "withdrawn", "funding_rate", "recommendation_rate", "screening_rate"):
        assert r1[key] is None, key  # 1 to 4, or a rate that would reveal one
    # 7: 679 mod 256 = 167, −1: 6, shown 5; 5: 485 mod 256 = 229, −2: 3, shown 5 (never < 5)
    assert r1["sent_to_review"] == 5 and r1["recommended"] == 5
    pairs = build("collaboration", viewer=None, chosen={"round": world["r1"]}, public=True)
    assert all(r["shared_proposals"] is None for r in pairs.table("pairs").rows)  # 1 to 4 each
    crossing = {r["agencies"]: r["proposals"] for r in pairs.table("crossing").rows}
    assert crossing == {"1": 0, "2": 5, "3": None, "4 or more": None}  # 7 shows as 5
    times = build("times", viewer=None, chosen={"round": world["r1"]}, public=True)
    rows = {r["key"]: r for r in times.table("times").rows}
    assert rows["decision"]["median_days"] == 14.0  # six values
    assert rows["award"]["median_days"] is None  # three values
    outcomes = build("outcomes", viewer=None, chosen={}, public=True)
    failed = {r["key"]: r for r in outcomes.table("results").rows}["did_not_succeed"]
    assert failed["outcomes"] is None and failed["learnings"] is None
    text = client.get("/analytics/public/funnel/", {"round": world["r1"].pk}).content.decode()
    assert f"fewer than {THRESHOLD}" in text
    # In plain words: small numbers hidden, the others slightly adjusted, so may not add up.
    assert "small numbers (1 to 4) are hidden" in text and "slightly adjusted" in text
    assert "may not add up" in text
    index = client.get("/analytics/public/").content.decode()
    assert "slightly adjusted" in index and "may not add up" in index


def test_the_public_figures_count_public_learnings_only(world):
    internal = build("outcomes", viewer=world["manager"], chosen={})
    public = build("outcomes", viewer=None, chosen={}, public=True)
    assert {r["key"]: r["learnings"] for r in internal.table("results").rows}[
        "did_not_succeed"] == 2
    assert public.table("results").rows[2]["learnings"] is None  # 1 public learning: small


def test_the_public_cannot_choose_a_draft_round_nor_see_its_row(world):
    response = api_get(None, f"/api/v1/analytics/public/funnel/?round={world['draft_round'].pk}")
    assert response.status_code == 400 and "round" in response.json()
    figure = build("funnel", viewer=None, chosen={}, public=True)
    assert "R draft" not in [r["round"] for r in figure.table("rounds").rows]


@pytest.mark.parametrize("query, field", [
    ("year_from=2026&year_to=2025", "year_to"),
    ("year_from=1800", "year_from"),
    ("round=abc", "round"),
    ("round=99999999999999999999999999", "round"),
    ("agency=-1", "agency"),
    ("fund=999999", "fund"),
])
def test_impossible_filters_are_400_in_the_api_and_a_form_error_on_the_page(
        world, client, query, field):
    response = api_get(world["manager"], f"/api/v1/analytics/funnel/?{query}")
    assert response.status_code == 400
    assert field in response.json()
    client.force_login(world["manager"])
    page = client.get(f"/analytics/funnel/?{query}")
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert client.get(f"/analytics/funnel/?{query}&download=csv").status_code == 400


def test_a_round_outside_the_chosen_fund_is_named(world):
    f2 = world["funds"][1]
    response = api_get(world["manager"],
                       f"/api/v1/analytics/funnel/?fund={f2.pk}&round={world['r1'].pk}")
    assert response.status_code == 400
    assert "R1" in response.json()["round"][0] and "Fund two" in response.json()["round"][0]


def test_empty_filters_show_everything(world):
    response = api_get(world["manager"], "/api/v1/analytics/funnel/?fund=&round=&year=&agency=")
    assert response.status_code == 200
    assert response.json()["summary"]["submitted"] == 11


def test_year_shorthand(world):
    response = api_get(world["manager"], "/api/v1/analytics/funnel/?year=2024")
    assert response.json()["summary"]["submitted"] == 1
    assert response.json()["filters"] == {"year_from": 2024, "year_to": 2024}
