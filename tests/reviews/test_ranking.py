"""Round ranking: order by mean weighted score, review count, spread, funding line; and the
page's and API's query counts do not grow with proposals and reviews."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment, Review
from reviews.selectors import ranking_rows
from reviews.services.scores import refresh_proposal_scores


def _reviewed(round_, panel, amount, scores, state="in_review"):
    proposal = ProposalFactory(round=round_, in_review=True, requested_amount=Decimal(amount))
    for score in scores:
        a = AssignmentFactory(proposal=proposal, panel=panel, submitted=True, score=score)
        assert a.review.weighted_score == Decimal(score * 20)
    AssignmentFactory(proposal=proposal, panel=panel)  # an unsubmitted one never counts
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    refresh_proposal_scores([proposal.pk])  # update() skips the signals keeping the rows
    return proposal


@pytest.fixture
def ranked(db):
    round_ = RoundFactory(closed=True, budget=Decimal("1000000.00"))
    panel = PanelFactory(round=round_)
    fm = UserFactory(fund_manager=True)
    a = _reviewed(round_, panel, "400000.00", [5, 4, 5])        # mean 93.33
    b = _reviewed(round_, panel, "500000.00", [2, 5, 4])        # mean 73.33, spread 60
    c = _reviewed(round_, panel, "300000.00", [4, 4])           # mean 80
    d = _reviewed(round_, panel, "100000.00", [1], "rejected")  # not counted for the line
    e = _reviewed(round_, panel, "50000.00", [])                # no reviews yet
    ProposalFactory(round=round_, submitted=True)               # never sent to review
    return round_, panel, fm, (a, b, c, d, e)


def test_order_scores_counts_and_spread(ranked):
    round_, panel, fm, (a, b, c, d, e) = ranked
    rows = ranking_rows(round_=round_, viewer=fm)
    assert [r["proposal"] for r in rows] == [a, c, b, d, e]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["mean_weighted_score"] for r in rows] == [
        Decimal("93.33"), Decimal("80.00"), Decimal("73.33"), Decimal("20.00"), None]
    assert [r["review_count"] for r in rows] == [3, 2, 3, 1, 0]
    assert [r["spread"] for r in rows] == [
        Decimal("20.00"), Decimal("0.00"), Decimal("60.00"), Decimal("0.00"), None]
    assert [r["disagreement"] for r in rows] == [False, False, True, False, False]


def test_funding_line_where_cumulative_requests_pass_the_budget(ranked):
    round_, panel, fm, (a, b, c, d, e) = ranked
    rows = ranking_rows(round_=round_, viewer=fm)
    assert [r["cumulative_requested"] for r in rows] == [
        Decimal("400000"), Decimal("700000"), Decimal("1200000"), Decimal("1200000"),
        Decimal("1250000")]
    assert [r["above_funding_line"] for r in rows] == [True, True, False, False, False]
    assert [r["funding_line_before"] for r in rows] == [False, False, True, False, False]


def test_ranking_api(ranked):
    round_, panel, fm, (a, b, c, d, e) = ranked
    client = APIClient()
    client.force_authenticate(fm)
    body = client.get(f"/api/v1/rounds/{round_.pk}/ranking/").json()
    assert body["budget"] == "1000000.00" and body["funding_line_after_rank"] == 2
    first = body["results"][0]
    assert first["proposal"] == a.pk and first["mean_weighted_score"] == "93.33"
    assert first["above_funding_line"] is True and first["review_count"] == 3
    assert body["results"][2]["disagreement"] is True


def test_ranking_page_draws_the_funding_line(ranked):
    round_, panel, fm, _ = ranked
    client = Client()
    client.force_login(panel.chair)
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "Funding line" in page and "strong disagreement" in page
    assert page.index("Funding line") > page.index("93.33")
    assert page.index("Funding line") < page.index("73.33")


def test_conflicted_viewer_sees_no_scores_for_that_proposal(ranked):
    round_, panel, fm, (a, *_rest) = ranked
    chair = panel.chair
    chair.agency = a.lead.agency
    chair.save()
    rows = ranking_rows(round_=round_, viewer=chair)
    row = next(r for r in rows if r["proposal"] == a)
    assert row["conflict"] and row["mean_weighted_score"] is None and row["spread"] is None


# --- query counts: 10 rows vs 200 ---------------------------------------------------------


def _bulk_round(n: int):
    """A round with n proposals in review, each with two submitted reviews (bulk-built)."""
    round_ = RoundFactory(closed=True)
    panel = PanelFactory(round=round_)
    template = ProposalFactory(round=round_, in_review=True)
    reviewers = list(panel.members.all())[:2]
    proposals = Proposal.objects.bulk_create(
        Proposal(round=round_, lead=template.lead, title=f"P{i}", state="in_review",
                 requested_amount=Decimal(1000 + i)) for i in range(n - 1)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(proposal=p, reviewer=r, panel=panel, due_on="2030-01-01", state="submitted")
        for p in proposals for r in reviewers
    )
    Review.objects.bulk_create(
        Review(assignment=a, recommendation="fund", weighted_score=Decimal(50 + a.pk % 40))
        for a in assignments
    )
    refresh_proposal_scores([p.pk for p in proposals])  # as a bulk load does
    return round_, panel


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["page", "api"])
def test_ranking_query_count_does_not_grow(kind):
    counts = []
    for n in (10, 200):
        round_, panel = _bulk_round(n)
        client = Client() if kind == "page" else APIClient()
        client.force_login(panel.chair)
        url = (f"/reviews/rounds/{round_.pk}/ranking/" if kind == "page"
               else f"/api/v1/rounds/{round_.pk}/ranking/")
        counts.append(_count(client, url))
    assert counts[0] == counts[1], counts


def _bulk_assignments(n: int):
    reviewer = UserFactory()
    round_ = RoundFactory(closed=True)
    panel = PanelFactory(round=round_, members=[reviewer])
    template = ProposalFactory(round=round_, in_review=True)
    proposals = Proposal.objects.bulk_create(
        Proposal(round=round_, lead=template.lead, title=f"P{i}", state="in_review")
        for i in range(n)
    )
    Assignment.objects.bulk_create(
        Assignment(proposal=p, reviewer=reviewer, panel=panel, due_on="2030-01-01")
        for p in proposals
    )
    return reviewer, panel


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/reviews/", "/api/v1/assignments/", "panel"])
def test_assignment_list_query_count_does_not_grow(url):
    counts = []
    for n in (10, 200):
        reviewer, panel = _bulk_assignments(n)
        client = Client() if url.startswith("/reviews") else APIClient()
        if url == "panel":
            client.force_login(panel.chair)
            counts.append(_count(client, f"/reviews/panels/{panel.pk}/"))
        else:
            client.force_login(reviewer)
            counts.append(_count(client, url))
    assert counts[0] == counts[1], counts


def test_only_contending_proposals_past_the_line_are_greyed(db):
    """A proposal not counted for the line (rejected, declined) is not greyed as if it fell
    below it, even ranked above the line (a walkthrough read such rows as missing the line)."""
    import re

    round_ = RoundFactory(closed=True, budget=Decimal("500000.00"))
    panel = PanelFactory(round=round_)
    _reviewed(round_, panel, "300000.00", [5, 5])
    _reviewed(round_, panel, "100000.00", [4, 4], "rejected")  # ranked second, not counted
    past = _reviewed(round_, panel, "300000.00", [3, 3])                 # past the budget
    client = Client()
    client.force_login(UserFactory(fund_manager=True))
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/?order=calibrated").content.decode()
    greyed = re.findall(r'<tr class="below-line">.*?reviews/proposals/(\d+)/', page, re.S)
    assert greyed == [str(past.pk)]
