"""The ranking a page at a time (issue 16): ranks continue across pages, the running totals
and the funding line are the whole round's (computed by the database), each page says where
the line falls, a constant number of queries whatever the round's size, and the blind rules
and the conflict rule hold on every page."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.models import Proposal
from reviews.factories import PanelFactory
from reviews.models import Assignment, Review
from reviews.selectors import (
    CONTENDING_STATES,
    RANKING_PAGE_SIZE,
    RANKING_PAGE_SIZE_MAX,
    ranking_page,
    ranking_rows,
)
from reviews.services.scores import refresh_proposal_scores

KEYS = ("rank", "mean_weighted_score", "review_count", "spread", "cumulative_requested",
        "above_funding_line", "funding_line_before", "conflict", "totals_shown",
        "scores_hidden", "review_pending")


def _round(specs, *, budget="1000.00", lead=None):
    """A closed round whose proposals are `specs`: (state, requested, [weighted scores]),
    bulk-built: each score a submitted review by its own reviewer."""
    round_ = RoundFactory(closed=True, budget=Decimal(budget))
    panel = PanelFactory(round=round_)
    lead = lead or UserFactory()
    reviewers = UserFactory.create_batch(max([len(s[2]) for s in specs] + [1]))
    proposals = Proposal.objects.bulk_create(
        Proposal(round=round_, lead=lead, title=f"Experiment {i:04d}", state=state,
                 requested_amount=Decimal(amount))
        for i, (state, amount, _scores) in enumerate(specs)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(proposal=p, reviewer=reviewers[j], panel=panel, due_on="2030-01-01",
                   state="submitted")
        for p, (_s, _a, scores) in zip(proposals, specs, strict=True) for j in range(len(scores))
    )
    scores = [score for _s, _a, ss in specs for score in ss]
    Review.objects.bulk_create(
        Review(assignment=a, recommendation="fund", weighted_score=Decimal(score))
        for a, score in zip(assignments, scores, strict=True)
    )
    # A bulk write skips the signals that keep the stored ranking rows: rebuild them, as a
    # bulk load does (reviews.services.scores).
    refresh_proposal_scores([p.pk for p in proposals])
    return round_, panel, proposals


def _all_pages(round_, viewer, size):
    pages, number = [], 1
    while True:
        page = ranking_page(round_=round_, viewer=viewer, page=number, page_size=size)
        pages.append(page)
        if not page.has_next:
            return pages
        number += 1


def _naive_line(specs, budget):
    """The funding line computed by hand over every row: the order (mean score highest first,
    unscored last, then the smaller request, then the older proposal), the running total of
    the contending requests, and the rank after which it first passes the budget."""
    order = sorted(
        range(len(specs)),
        key=lambda i: (not specs[i][2],
                       -Fraction(sum(specs[i][2]), len(specs[i][2])) if specs[i][2] else 0,
                       Decimal(specs[i][1]), i))
    total = Decimal(0)
    for rank, i in enumerate(order, start=1):
        state, amount, _scores = specs[i]
        if state in CONTENDING_STATES:
            total += Decimal(amount)
            if total > Decimal(budget):
                return order, rank - 1
    return order, None


SPECS = [  # (state, requested, weighted scores)
    ("in_review", "300.00", [80, 90]),      # 85
    ("rejected", "900.00", [95]),           # 95, does not count for the line
    ("recommended", "200.00", [70, 70]),    # 70
    ("funded", "250.00", [85]),             # 85, ties with the first: the smaller request
    ("in_review", "100.00", [70]),          # 70, ties: the smaller request first
    ("declined", "50.00", [60]),            # 60, does not count
    ("in_review", "400.00", [50, 60]),      # 55
    ("in_review", "80.00", []),             # unscored: last
    ("in_review", "80.00", []),             # unscored, same request: the older first
]


@pytest.fixture
def round_of_nine(db):
    return _round(SPECS, budget="1000.00")


def test_every_page_size_gives_the_whole_ranking_with_one_funding_line(round_of_nine):
    round_, panel, proposals = round_of_nine
    fm = UserFactory(fund_manager=True)
    whole = ranking_rows(round_=round_, viewer=fm)
    order, line = _naive_line(SPECS, "1000.00")
    assert [r["proposal"].pk for r in whole] == [proposals[i].pk for i in order]
    # 95 (rejected, not counted); 250, 300, 100, 200: 850; 60 (declined); 400 passes 1000
    assert line == 6
    for size in range(1, 11):
        pages = _all_pages(round_, fm, size)
        rows = [row for page in pages for row in page.rows]
        assert [[r[k] for k in KEYS] for r in rows] == [[r[k] for k in KEYS] for r in whole]
        assert [r["rank"] for r in rows] == list(range(1, 10))  # continuous across pages
        assert [r["rank"] for r in rows if r["funding_line_before"]] == [line + 1]
        assert {p.funding_line_after_rank for p in pages} == {line}
        assert all(p.funding_line_fitting == Decimal("850.00") for p in pages)
        line_page = pages[0].funding_line_page
        assert any(r["funding_line_before"] for r in pages[line_page - 1].rows)
        ends = [p.number for p in pages if p.funding_line_at_end]
        assert ends == ([line_page - 1] if line % size == 0 else [])


def test_the_page_and_the_api_say_where_the_line_falls(round_of_nine):
    round_, panel, _ = round_of_nine
    client = Client()
    client.force_login(panel.chair)
    # line after rank 6; a page of 50: on this page
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "The funding line falls after rank 6." in page

    api = APIClient()
    api.force_authenticate(panel.chair)
    url = f"/api/v1/rounds/{round_.pk}/ranking/"
    body = api.get(url, {"page_size": 2, "page": 2}).json()
    assert body["count"] == body["ranked_count"] == 9 and body["pages"] == 5
    assert body["page"] == 2 and body["page_size"] == 2
    assert [r["rank"] for r in body["results"]] == [3, 4]
    assert body["funding_line_after_rank"] == 6 and body["funding_line_page"] == 4
    assert "page=3" in body["next"] and "page=1" in body["previous"]
    assert [r["above_funding_line"] for r in body["results"]] == [True, True]
    fourth = api.get(url, {"page_size": 2, "page": 4}).json()["results"]
    assert [r["above_funding_line"] for r in fourth] == [False, False]
    # past the last page: the last; a bad number: the first; page_size capped
    assert api.get(url, {"page_size": 2, "page": 99}).json()["page"] == 5
    assert api.get(url, {"page": "x"}).json()["page"] == 1
    assert api.get(url, {"page_size": 10**6}).json()["page_size"] == RANKING_PAGE_SIZE_MAX


def test_a_page_ending_at_the_line_draws_it_after_its_last_row(round_of_nine, monkeypatch):
    round_, panel, _ = round_of_nine
    monkeypatch.setattr(ranking_page, "__kwdefaults__",
                        {**ranking_page.__kwdefaults__, "page_size": 2})
    client = Client()
    client.force_login(panel.chair)
    url = f"/reviews/rounds/{round_.pk}/ranking/"
    third = client.get(url, {"page": 3}).content.decode()
    assert "this page lists ranks 5 to 6" in third
    assert "The funding line falls after rank 6, on" in third and "page=4" in third
    assert third.count('class="funding-line"') == 1  # after rank 6, this page's last
    first = client.get(url).content.decode()
    assert 'class="funding-line"' not in first and "page=4" in first
    fourth = client.get(url, {"page": 4}).content.decode()
    assert fourth.count('class="funding-line"') == 1 and "on this page" in fourth


def test_ties_are_ordered_as_before_whatever_the_page(round_of_nine):
    round_, panel, proposals = round_of_nine
    fm = UserFactory(fund_manager=True)
    firsts = [ranking_page(round_=round_, viewer=fm, page=n, page_size=1).rows[0]["proposal"]
              for n in range(1, 10)]
    # 95 (rejected); 85 twice: 250 before 300; 70 twice: 100 before 200; 60; 55; unscored
    # twice, same request: the older first
    assert [p.pk for p in firsts] == [proposals[i].pk for i in (1, 3, 0, 4, 2, 5, 6, 7, 8)]


# --- the blind rules and the conflict rule, page by page ---------------------------------


def test_a_conflicted_viewer_gets_continuous_ranks_and_the_rows_apart_last(db):
    mine = AgencyFactory()
    colleague = UserFactory(agency=mine)
    round_, panel, proposals = _round(SPECS)
    chair = panel.chair
    chair.agency = mine
    chair.save()
    # the two 85s are led by the chair's colleague: a conflict
    Proposal.objects.filter(pk__in=[proposals[0].pk, proposals[3].pk]).update(lead=colleague)
    refresh_proposal_scores([proposals[0].pk, proposals[3].pk])  # update() skips the signals
    whole = ranking_rows(round_=round_, viewer=chair)
    assert [r["rank"] for r in whole] == [1, 2, 3, 4, 5, 6, 7, None, None]
    for size in (1, 2, 4, 7, 50):
        pages = _all_pages(round_, chair, size)
        rows = [row for page in pages for row in page.rows]
        assert [[r[k] for k in KEYS] for r in rows] == [[r[k] for k in KEYS] for r in whole]
        assert all(p.funding_line_after_rank is None and not p.totals_shown for p in pages)
        assert all(r["cumulative_requested"] is None for r in rows)
    apart = [r for r in whole if r["conflict"]]
    assert {r["proposal"].pk for r in apart} == {proposals[0].pk, proposals[3].pk}
    assert all(r["mean_weighted_score"] is None and r["requested_amount"] is None
               for r in apart)

    api = APIClient()
    api.force_authenticate(chair)
    body = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"page_size": 4, "page": 2}).json()
    assert body["running_totals_shown"] is False and body["funding_line_after_rank"] is None
    assert [r["rank"] for r in body["results"]] == [5, 6, 7, None]
    assert body["results"][-1]["conflict"] and body["results"][-1]["requested_amount"] is None
    last = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"page_size": 4, "page": 3}).json()
    assert [r["rank"] for r in last["results"]] == [None]

    page = Client()
    page.force_login(chair)
    html = page.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "Running total" not in html and "Funding line" not in html
    assert "2 set apart" in html


def test_a_chair_with_an_open_review_sees_nothing_of_its_place_on_any_page(round_of_nine):
    """Blind review (security, issue 16): while the chair's own review of a proposal is open,
    the proposal is set apart like a conflicted one: no rank (its neighbours' ranks would
    place it), no review count, no scores, no running totals and no funding line."""
    round_, panel, proposals = round_of_nine
    chair = panel.chair
    Assignment.objects.create(proposal=proposals[6], reviewer=chair, panel=panel,
                              due_on="2030-01-01")
    whole = ranking_rows(round_=round_, viewer=chair)
    assert [r["rank"] for r in whole] == [1, 2, 3, 4, 5, 6, 7, 8, None]
    for size in (1, 3, 50):
        pages = _all_pages(round_, chair, size)
        rows = [r for p in pages for r in p.rows]
        assert [[r[k] for k in KEYS] for r in rows] == [[r[k] for k in KEYS] for r in whole]
        row = next(r for r in rows if r["proposal"].pk == proposals[6].pk)
        assert row["review_pending"] and not row["conflict"] and row["rank"] is None
        assert row["mean_weighted_score"] is None and row["spread"] is None
        assert row["review_count"] is None and row["cumulative_requested"] is None
        assert row is rows[-1]
        assert all(p.funding_line_after_rank is None and not p.totals_shown for p in pages)
    api = APIClient()
    api.force_authenticate(chair)
    body = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"page_size": 1, "page": 9}).json()
    row = body["results"][0]
    assert row["proposal"] == proposals[6].pk and row["review_pending"]
    assert row["rank"] is None and row["review_count"] is None
    assert row["mean_weighted_score"] is None and row["requested_amount"] is None
    assert body["funding_line_after_rank"] is None and body["running_totals_shown"] is False
    page = Client()
    page.force_login(chair)
    html = page.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "Proposals you are still reviewing" in html and "Running total" not in html
    # Once the review is submitted, the proposal takes its place again.
    Assignment.objects.filter(reviewer=chair).update(state="submitted")
    refresh_proposal_scores([proposals[6].pk])
    Review.objects.create(assignment=Assignment.objects.get(reviewer=chair),
                          recommendation="fund", weighted_score=Decimal("50.00"))
    assert all(r["rank"] for r in ranking_rows(round_=round_, viewer=chair))


@pytest.mark.parametrize("role", ["hr", "reviewer"])
def test_who_may_not_see_scores_sees_no_page_of_them(round_of_nine, role):
    round_, panel, _ = round_of_nine
    user = UserFactory(hr_officer=True) if role == "hr" else panel.members.first()
    client = Client()
    client.force_login(user)
    for page in (1, 2):
        response = client.get(f"/reviews/rounds/{round_.pk}/ranking/", {"page": page})
        assert response.status_code == 403
        assert b"85.00" not in response.content
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"page": 2, "page_size": 1})
    assert response.status_code == 403 and b"results" not in response.content


# --- constant query counts ---------------------------------------------------------------


def _bulk_specs(n):
    states = ("in_review", "recommended", "rejected", "funded")
    return [(states[i % 4], f"{100 + i % 17}.00", [40 + i % 50, 30 + i % 60]) for i in range(n)]


def _queries(client, url, params=None) -> int:
    client.get(url, params or {})  # warm (session, content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "params"), [
    ("page", {}), ("page", {"page": 2}), ("page", {"page": 999}),
    ("api", {}), ("api", {"page": 3, "page_size": 7}), ("api", {"page_size": 500}),
    ("page", {"order": "calibrated"}), ("page", {"order": "calibrated", "page": 2}),
    ("api", {"order": "calibrated", "page": 3, "page_size": 7}),
])
def test_a_ranking_page_costs_the_same_queries_for_a_small_and_a_large_round(kind, params):
    counts = []
    for n in (12, 3 * RANKING_PAGE_SIZE + 7):
        round_, panel, _ = _round(_bulk_specs(n), budget="3000.00")
        client = Client() if kind == "page" else APIClient()
        client.force_login(panel.chair)
        url = (f"/reviews/rounds/{round_.pk}/ranking/" if kind == "page"
               else f"/api/v1/rounds/{round_.pk}/ranking/")
        counts.append(_queries(client, url, params))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_a_conflicted_viewers_pages_cost_the_same_queries_small_and_large():
    counts = []
    for n in (12, 3 * RANKING_PAGE_SIZE + 7):
        agency = AgencyFactory()
        round_, panel, proposals = _round(_bulk_specs(n), budget="3000.00",
                                          lead=UserFactory(agency=agency))
        chair = panel.chair
        chair.agency = agency  # a conflict with every proposal but the one led elsewhere
        chair.save()
        Proposal.objects.filter(pk=proposals[0].pk).update(lead=UserFactory())
        client = APIClient()
        client.force_login(chair)
        counts.append(_queries(client, f"/api/v1/rounds/{round_.pk}/ranking/"))
    assert counts[0] == counts[1], counts


# --- the property: the paginated line is the naive line ----------------------------------

STATE = st.sampled_from(["in_review", "recommended", "rejected", "funded", "declined",
                         "closed", "revision_requested", "outcome_reported"])
SPEC = st.tuples(STATE, st.integers(1, 600).map(lambda n: f"{n}.00"),
                 st.lists(st.integers(0, 100), max_size=4))


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(SPEC, min_size=1, max_size=14), budget=st.integers(0, 3000),
       size=st.integers(1, 6))
def test_the_paginated_funding_line_is_the_line_over_every_row(specs, budget, size):
    round_, panel, proposals = _round(specs, budget=f"{budget}.00")
    order, line = _naive_line(specs, f"{budget}.00")
    fm = UserFactory(fund_manager=True)
    pages = _all_pages(round_, fm, size)
    rows = [row for page in pages for row in page.rows]
    assert [r["proposal"].pk for r in rows] == [proposals[i].pk for i in order]
    assert [r["rank"] for r in rows] == list(range(1, len(specs) + 1))
    assert all(p.funding_line_after_rank == line for p in pages)
    drawn = [r["rank"] - 1 for r in rows if r["funding_line_before"]]
    assert drawn == ([] if line is None else [line])
    total = Decimal(0)
    for row, i in zip(rows, order, strict=True):
        if specs[i][0] in CONTENDING_STATES:
            total += Decimal(specs[i][1])
        assert row["cumulative_requested"] == total
        assert row["above_funding_line"] == (specs[i][0] in CONTENDING_STATES
                                             and total <= budget)
