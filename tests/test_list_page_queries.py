"""Every HTML list at national scale (issue 16): the same number of queries for 1 or 20 rows
(the lists other test files do not already measure), and a long list counted only up to a
bound (workflow/pages.py) with a LIMITed count, never every row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.factories import JobFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory, PanelFactory
from rewards.factories import RecognitionFactory

pytestmark = pytest.mark.django_db


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [q["sql"] for q in queries]


def _reviewer_rows(user, n):
    for _ in range(n):
        AssignmentFactory(reviewer=user)


def _panel_rows(user, n):
    for _ in range(n):
        PanelFactory(members=[UserFactory(), user])


def _panel_assignment_rows(user, n):
    panel = user.panels_chaired.get()
    for _ in range(n):
        AssignmentFactory(panel=panel, proposal=ProposalFactory(
            round=panel.round, in_review=True, partners=[], budget=False))


def _chair_rows(user, n):
    """Proposals of the chair's panel in review: half at quorum, half short of reviewers."""
    panel = user.panels_chaired.get()
    for _ in range(n):
        ProposalFactory(round=panel.round, panel=panel, in_review=True)
        ready = ProposalFactory(round=panel.round, panel=panel, in_review=True, partners=[],
                                budget=False)
        AssignmentFactory.create_batch(3, proposal=ready, panel=panel, submitted=True)


def _recognition_rows(user, n):
    RecognitionFactory.create_batch(n)


def _job_rows(user, n):
    JobFactory.create_batch(n, owner=user)


LISTS = {
    "my assignments": ("/reviews/", "reviewer", _reviewer_rows),
    "panels": ("/reviews/panels/", "reviewer", _panel_rows),
    "a panel's assignments": ("/reviews/panels/{panel}/", "chair", _panel_assignment_rows),
    "a chair's decisions": ("/reviews/", "chair", _chair_rows),
    "recognitions": ("/recognitions/", "fund_manager", _recognition_rows),
    "jobs": ("/jobs/", "fund_manager", _job_rows),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_takes_the_same_queries_for_1_and_20_rows(client, name):
    url, role, rows = LISTS[name]
    user = UserFactory(agency=AgencyFactory(), fund_manager=role == "fund_manager")
    if role == "chair":
        url = url.format(panel=PanelFactory(chair=user).pk)
    client.force_login(user)
    rows(user, 1)
    _get(client, url)  # warm the per-process caches
    _, one = _get(client, url)
    rows(user, 19)
    _, twenty = _get(client, url)
    assert len(twenty) == len(one), name


def test_a_long_list_is_counted_up_to_a_bound_and_paged_no_deeper(client, monkeypatch):
    from workflow import pages

    monkeypatch.setattr(pages, "COUNTED_ROWS", 4)
    user = UserFactory(agency=AgencyFactory(), fund_manager=True)
    RecognitionFactory.create_batch(7)
    client.force_login(user)
    page, queries = _get(client, "/recognitions/?page=1")
    assert "4+ recognitions" in page
    counts = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")
              and "rewards_recognition" in sql]
    assert counts and all(sql.endswith("LIMIT 5) subquery") for sql in counts), counts
    # 20 a page: one page holds the 4 counted; a deeper page answers the last one.
    page, _ = _get(client, "/recognitions/?page=9")
    assert "narrow it with the filters, or reverse the order" not in page  # a single page


def test_the_bounded_paginator_says_how_to_reach_the_rest(rf):
    from django.template.loader import render_to_string

    from workflow.pages import BoundedPaginator

    paginator = BoundedPaginator(list(range(30)), 5, counted_rows=12)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (13, True, 3)
    assert (paginator.count_label, paginator.pages_label) == ("12+", "3+")
    last = paginator.get_page(99)
    assert last.number == 3 and not last.has_next()
    html = render_to_string("_pagination.html", {"page_obj": last, "noun": "row"},
                            request=rf.get("/x/?page=99"))
    assert "12+ rows" in html and "Page 3 of 3+" in html
    assert "narrow it with the filters, or reverse the order" in html
    short = BoundedPaginator(list(range(6)), 5, counted_rows=12)
    assert (short.count_label, short.pages_label, short.capped) == ("6", "2", False)
