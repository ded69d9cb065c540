"""The ranking page's cheaper reads (issue 16) give what the slower ones gave.

- `ranked_and_apart_ids`: the count of ranked proposals and the ids set apart for a viewer in
  one query, the same as counting them and asking `apart_ids_in_round`;
- the page's proposals read narrow: the lead agency's code as the lead's agency gave it, and
  nothing else of a proposal read again per row;
- each row's link, state badge and amounts made once per page (`_shown_cells`): the same
  text as `{% url %}`, `{% state_badge %}` and `|money` gave;
- the flagged reviewers as plain values: named as the person is.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fund.factories import RoundFactory
from people.factories import UserFactory
from reviews.models import ProposalScore
from reviews.selectors import (
    RANKED_STATES,
    FlaggedReviewer,
    apart_ids_in_round,
    calibration_summary,
    ranked_and_apart_ids,
    ranking_page,
)
from reviews.views import _shown_cells
from workflow.display import money, state_badge

from .conftest import ranked_round


@pytest.fixture
def ranked(db):
    return ranked_round(gamma_title="Gamma <schools> & co")


def test_the_count_and_the_ids_set_apart_come_in_one_query_as_asked_apart(ranked):
    round_, panel, chair, fm, (a, b, c, d, e) = ranked
    every = ProposalScore.objects.filter(round=round_, state__in=RANKED_STATES).count()
    for viewer in (chair, fm, None):
        with CaptureQueriesContext(connection) as queries:
            count, apart = ranked_and_apart_ids(round_=round_, viewer=viewer)
        assert len(queries.captured_queries) == 1
        assert count == every == 5
        assert sorted(apart) == sorted(apart_ids_in_round(round_=round_, viewer=viewer))
    assert sorted(ranked_and_apart_ids(round_=round_, viewer=chair)[1]) == sorted([b.pk, d.pk])
    assert ranked_and_apart_ids(round_=round_, viewer=fm)[1] == []


def test_the_page_reads_the_lead_agency_as_the_lead_gave_it_and_nothing_per_row(ranked):
    round_, panel, chair, fm, proposals = ranked
    page = ranking_page(round_=round_, viewer=fm)
    with CaptureQueriesContext(connection) as queries:  # what the page and the API read
        cells = [(row["proposal"].pk, row["proposal"].title, row["proposal"].state,
                  row["requested_amount"], row["lead_agency"]) for row in page.ranked]
    assert queries.captured_queries == []  # nothing deferred is read again per row
    by_pk = {p.pk: p for p in proposals}
    assert sorted(by_pk) == sorted(cell[0] for cell in cells)
    for pk, title, state, amount, agency in cells:
        proposal = by_pk[pk]
        proposal.refresh_from_db()
        assert (title, state, amount) == (proposal.title, proposal.state,
                                          proposal.requested_amount)
        assert agency == (proposal.lead.agency.code if proposal.lead.agency else None)


def test_each_rows_cells_are_what_the_tags_and_filters_gave(ranked):
    round_, panel, chair, fm, proposals = ranked
    page = ranking_page(round_=round_, viewer=fm)
    _shown_cells(page.ranked, currency=round_.fund.currency)
    for row in page.ranked:
        proposal = row["proposal"]
        assert row["url"] == reverse("reviews:proposal", args=[proposal.pk])
        assert row["badge"] == state_badge(proposal)
        assert row["requested_text"] == money(row["requested_amount"], round_.fund.currency)
        assert row["cumulative_text"] == money(row["cumulative_requested"],
                                               round_.fund.currency)


def test_the_page_shows_each_rows_link_badge_and_amounts(ranked):
    round_, panel, chair, fm, (a, b, c, d, e) = ranked
    client = Client()
    client.force_login(fm)
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert f'<a href="/reviews/proposals/{c.pk}/">Gamma &lt;schools&gt; &amp; co</a>' in page
    assert str(state_badge(c)) in page
    assert f"<td class=\"num\">{money(c.requested_amount, round_.fund.currency)}</td>" in page
    assert f"<td class=\"num\">{money(Decimal('1200000'), round_.fund.currency)}</td>" in page


def test_flagged_reviewers_are_named_as_the_people_are(db):
    from reviews.models import RoundCalibration

    round_ = RoundFactory(closed=True)
    named = UserFactory(first_name="Pema", last_name="Wangmo")
    bare = UserFactory(first_name="", last_name="", agency=None)
    RoundCalibration.objects.update_or_create(round=round_, defaults={
        "review_count": 9, "reviewer_count": 3, "round_mean": 60.0, "pooled_sd": 10.0,
        "flagged": [{"reviewer": named.pk, "mean": 90.0, "reviews": 3},
                    {"reviewer": bare.pk, "mean": 20.0, "reviews": 4}]})
    summary = calibration_summary(round_=round_, shown=True)
    people = {user.pk: user for user, _mean, _count in summary.flagged}
    for person in (named, bare):
        shown = people[person.pk]
        assert isinstance(shown, FlaggedReviewer)
        assert shown.get_full_name() == person.get_full_name()
        assert shown.username == person.username
        assert (shown.agency is None) == (person.agency is None)
        if person.agency is not None:
            assert shown.agency.code == person.agency.code
