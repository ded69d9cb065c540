"""My reviews at national scale (issue 16): the chair's two lists are read in one query and
hold exactly the first proposals of `chair_queries.at_quorum` and `short_of_reviewers`; a
row of the assignments reads only what it prints; nothing is asked of the chair's lists for
someone without a chair's duty."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews import views
from reviews.chair_queries import at_quorum, proposals_in_review_chaired_by, short_of_reviewers
from reviews.factories import AssignmentFactory, PanelFactory

pytestmark = pytest.mark.django_db


def _in_review(panel, days_ago, **kwargs):
    return ProposalFactory(round=panel.round, panel=panel, in_review=True, partners=[],
                           budget=False, submitted_at=timezone.now() - timedelta(days=days_ago),
                           **kwargs)


@pytest.fixture
def chair_scene():
    chair = UserFactory(agency=AgencyFactory())
    panel = PanelFactory(chair=chair)
    required = panel.round.reviews_required
    for days in (9, 3, 7, 1):  # at quorum
        ready = _in_review(panel, days)
        AssignmentFactory.create_batch(required, proposal=ready, panel=panel, submitted=True)
    for days in (8, 2, 6, 4, 5):  # short of reviewers
        _in_review(panel, days)
    busy = _in_review(panel, 10)  # neither: reviewers at work
    AssignmentFactory.create_batch(required, proposal=busy, panel=panel)
    _in_review(panel, 11, lead=UserFactory(agency=chair.agency))  # the chair's conflict
    return chair


def _pks(proposals):
    return [p.pk for p in proposals]


def test_the_chairs_lists_are_the_first_of_each_rule_in_one_query(client, chair_scene,
                                                                  monkeypatch):
    monkeypatch.setattr(views, "CHAIR_LIST_SIZE", 3)
    chaired = proposals_in_review_chaired_by(chair_scene)
    expected_waiting = _pks(at_quorum(chaired).order_by("submitted_at", "pk")[:3])
    expected_short = _pks(short_of_reviewers(chaired).order_by("submitted_at", "pk")[:3])
    assert len(expected_waiting) == 3 and len(expected_short) == 3
    client.force_login(chair_scene)
    client.get("/reviews/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reviews/")
    assert _pks(response.context["awaiting"]) == expected_waiting
    assert _pks(response.context["short"]) == expected_short
    asked = [q["sql"] for q in captured if "ROW_NUMBER()" in q["sql"]]
    assert len(asked) == 1
    page = response.content.decode()
    assert page.count("reviews submitted") == 3 and page.count(" reviewers</span>") == 3


def test_nothing_is_asked_of_the_chairs_lists_without_a_duty(django_assert_num_queries):
    reviewer = UserFactory()
    with django_assert_num_queries(0):
        assert views.chair_lists(reviewer, []) == ([], [])


def test_an_assignment_row_reads_what_it_prints(client):
    reviewer = UserFactory()
    AssignmentFactory.create_batch(3, reviewer=reviewer)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reviews/")
    rows = [q["sql"] for q in captured
            if q["sql"].startswith('SELECT "reviews_assignment"."id"')]
    assert len(rows) == 1
    assert '"proposals_proposal"."summary"' not in rows[0]  # the proposal's texts stay
    assert "people_user" not in rows[0]  # nor the reviewer, the lead or their agencies
    assert response.content.decode().count("Declare a conflict") == 3
