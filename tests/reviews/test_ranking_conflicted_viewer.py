"""A viewer with a conflict on a proposal of the round cannot place it in the ranking.

DOMAIN.md: such a viewer sees that proposal's row with its title and state only, and no
running totals. Hiding its scores was not enough: its rank (and the gap it left, and the
jump in the running total) told where the panel put it. The row is listed apart, after the
ranked ones and in title order; the others are numbered without it; no running total and no
funding line is shown to that viewer. Pages, API and the portfolio PDF alike.
"""

import io
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from documents import portfolio
from reviews.selectors import ranking_rows

from .conftest import ranked_round


@pytest.fixture
def ranked(db):
    return ranked_round()


def test_rows_the_viewer_is_conflicted_on_come_apart_unranked(ranked):
    round_, panel, chair, fm, (a, b, c, d, e) = ranked
    rows = ranking_rows(round_=round_, viewer=chair)

    assert [r["proposal"] for r in rows] == [a, c, e, d, b]  # apart: Beta, Zeta by title
    assert [r["rank"] for r in rows] == [1, 2, 3, None, None]  # no gap where b stood
    for row in rows[3:]:
        assert row["conflict"]
        assert row["review_count"] is None and row["mean_weighted_score"] is None
        assert row["requested_amount"] is None and row["lead_agency"] is None
        assert row["spread"] is None


def test_a_conflicted_viewer_sees_no_running_totals_and_no_funding_line(ranked):
    round_, panel, chair, fm, _ = ranked
    rows = ranking_rows(round_=round_, viewer=chair)
    assert all(r["cumulative_requested"] is None for r in rows)
    assert all(r["above_funding_line"] is None for r in rows)
    assert not any(r["funding_line_before"] for r in rows)
    assert not any(r["totals_shown"] for r in rows)


def test_a_viewer_without_a_conflict_sees_the_whole_ranking(ranked):
    round_, panel, chair, fm, (a, b, c, d, e) = ranked
    rows = ranking_rows(round_=round_, viewer=fm)
    assert [r["proposal"] for r in rows] == [a, b, c, d, e]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["cumulative_requested"] for r in rows] == [
        Decimal("400000"), Decimal("700000"), Decimal("1200000"), Decimal("1250000"),
        Decimal("1350000")]
    assert [r["funding_line_before"] for r in rows] == [False, False, True, False, False]


def test_the_api_gives_the_conflicted_rows_title_and_state_only(ranked):
    round_, panel, chair, fm, (a, b, c, d, e) = ranked
    client = APIClient()
    client.force_authenticate(chair)
    body = client.get(f"/api/v1/rounds/{round_.pk}/ranking/").json()

    assert body["funding_line_after_rank"] is None and body["running_totals_shown"] is False
    results = body["results"]
    assert [r["proposal"] for r in results] == [a.pk, c.pk, e.pk, d.pk, b.pk]
    assert [r["rank"] for r in results] == [1, 2, 3, None, None]
    zeta = results[-1]
    assert zeta["title"] == "Zeta buses" and zeta["state"] == "in_review" and zeta["conflict"]
    for key in ("rank", "requested_amount", "review_count", "mean_weighted_score", "spread",
                "cumulative_requested", "above_funding_line", "lead_agency"):
        assert zeta[key] is None, key
    assert all(r["cumulative_requested"] is None for r in results)
    assert "300000" not in str(zeta)


def test_the_ranking_page_lists_the_conflicted_proposals_apart(ranked):
    round_, panel, chair, fm, _ = ranked
    client = Client()
    client.force_login(chair)
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()

    apart = page.index("Proposals you have a conflict with")
    assert page.index("Beta roads") > apart and page.index("Zeta buses") > apart
    assert page.index("Beta roads") < page.index("Zeta buses")
    assert page.index("Delta water") < apart
    assert "Running total" not in page and "Funding line" not in page
    assert "BTN 300,000.00" not in page and "BTN 50,000.00" not in page


def test_the_ranking_page_of_a_viewer_without_a_conflict_is_unchanged(ranked):
    round_, panel, chair, fm, _ = ranked
    client = Client()
    client.force_login(fm)
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "Running total" in page and "Funding line" in page
    assert "Proposals you have a conflict with" not in page


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


def test_the_portfolio_of_a_conflicted_viewer_does_not_place_the_proposal(ranked):
    round_, panel, chair, fm, (a, b, c, d, e) = ranked
    context = portfolio.round_portfolio_context(round_, chair)
    assert [(r.pk, r.rank) for r in context["ranked"]] == [(a.pk, 1), (c.pk, 2), (e.pk, 3)]
    assert [r.pk for r in context["conflicted"]] == [d.pk, b.pk]
    assert context["funding_line_after"] is None and not context["totals_shown"]

    text = _pdf_text(portfolio.round_portfolio_pdf(round_, chair))
    apart = text.index("Proposals not ranked for you")
    assert text.index("Zeta buses") > apart and text.index("Beta roads") > apart
    assert "hidden: a conflict of interest" in text
