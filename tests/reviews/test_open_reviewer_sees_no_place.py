"""Blind review (security, issue 16): a chair or fund manager whose own review of a proposal
is still open sees nothing of where the others' reviews put it: no rank, no review count, no
scores, in the ranking page, the API, the chair's pages and the round portfolio (PDF context
and CSV). Once they submit, it takes its place again."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from documents import portfolio
from reviews import services
from reviews.factories import AssignmentFactory
from reviews.selectors import ranking_rows

from .conftest import full_scores


def _submit(assignment, criteria, value=4):
    services.assignment_submit_review(
        assignment=assignment, actor=assignment.reviewer,
        review={"scores": full_scores(criteria, value), "recommendation": "fund"})


@pytest.fixture
def open_review(scene):
    """The chair also reviews the proposal (open); the three members have submitted (the
    proposal is at quorum)."""
    scene.panel.members.add(scene.chair)
    own = AssignmentFactory(proposal=scene.proposal, panel=scene.panel, reviewer=scene.chair)
    for assignment in scene.assignments:
        _submit(assignment, scene.criteria)
    return scene, own


def test_the_ranking_sets_the_proposal_apart(open_review):
    scene, own = open_review
    [row] = ranking_rows(round_=scene.round, viewer=scene.chair)
    assert row["review_pending"] and row["rank"] is None and row["review_count"] is None
    assert row["mean_weighted_score"] is None and row["cumulative_requested"] is None
    api = APIClient()
    api.force_authenticate(scene.chair)
    body = api.get(f"/api/v1/rounds/{scene.round.pk}/ranking/").json()
    assert body["results"][0]["rank"] is None and body["results"][0]["review_count"] is None
    assert body["ranked_count"] == 0 and body["running_totals_shown"] is False
    page = Client()
    page.force_login(scene.chair)
    html = page.get(f"/reviews/rounds/{scene.round.pk}/ranking/").content.decode()
    assert "Proposals you are still reviewing" in html and "80.00" not in html
    _submit(own, scene.criteria)
    [row] = ranking_rows(round_=scene.round, viewer=scene.chair)
    assert row["rank"] == 1 and row["review_count"] == 4


def _waiting(html: str) -> str:
    """The list of proposals waiting for the panel's decision, on the home page or My reviews."""
    if 'id="quorum-heading"' in html:
        part = html.split('id="quorum-heading"', 1)[1]
        return part.split("</section>", 1)[0]
    part = html.split("Waiting for the panel's decision", 1)[1]
    return part.split("Short of reviewers", 1)[0]


@pytest.mark.parametrize("url", ["/", "/reviews/"])
def test_the_chairs_pages_leave_it_out_of_waiting_until_their_review_is_in(open_review, url):
    """Listed as "waiting for the panel's decision" it would tell the chair the others reached
    quorum (found by an outsider's attack): it is not listed until the chair's review is in."""
    scene, own = open_review
    page = Client()
    page.force_login(scene.chair)
    html = page.get(url).content.decode()
    assert scene.proposal.title in html  # as their own assignment
    assert scene.proposal.title not in _waiting(html)
    assert "reviews submitted" not in html
    _submit(own, scene.criteria)
    html = page.get(url).content.decode()
    assert scene.proposal.title in _waiting(html)
    assert "4 of 3 reviews submitted" in html or "4 reviews submitted" in html


def test_the_portfolio_lists_it_apart(open_review):
    scene, own = open_review
    context = portfolio.round_portfolio_context(scene.round, scene.chair)
    assert context["ranked"] == [] and [p.pk for p in context["conflicted"]] == [
        scene.proposal.pk]
    assert context["funding_line_after"] is None and not context["totals_shown"]
    rows = [portfolio._csv_row(row) for row in portfolio.iter_ranking_rows(
        round_=scene.round, viewer=scene.chair, annotate=portfolio._with_awards)]
    assert rows == [[None, scene.proposal.pk, scene.proposal.title, None,
                     scene.proposal.get_state_display(), None, None, None, None, None, None,
                     None, None, None, "Not ranked for you: your own review is still open"]]
