"""The lists of issue 16 at national scale: a bounded count reads ids alone (never the joined
rows, the viewer's conflicts or a union of the viewer's paths), and the HR list's position
levels are the distinct levels of active people, read an index probe at a time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _counts(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured
            if q["sql"].startswith('SELECT COUNT(*) FROM (SELECT "proposals_proposal"')]


@pytest.mark.parametrize("url", ["/proposals/all/", "/proposals/queue/"])
def test_a_fund_managers_list_counts_ids_alone(client, url):
    agency = AgencyFactory()
    manager = UserFactory(fund_manager=True, agency=agency)
    ProposalFactory(submitted=True, lead=UserFactory(agency=agency))
    ProposalFactory(submitted=True, partners=[agency])
    client.force_login(manager)
    (count,) = _counts(client, url)
    for joined in ("proposals_teammember", "people_user", "partner_agencies", "fund_round",
                   "UNION", "CASE"):
        assert joined not in count, (url, joined)
    page = client.get(url).content.decode()
    assert "2 proposals" in page


def test_the_bounded_paginator_counts_the_count_queryset(django_assert_num_queries):
    from proposals.models import Proposal
    from workflow.pages import BoundedPaginator

    ProposalFactory.create_batch(3, submitted=True)
    rows = Proposal.objects.select_related("round", "lead").order_by("id")
    paginator = BoundedPaginator(rows, 2, counted_rows=2,
                                 count_queryset=Proposal.objects.filter(state="submitted"))
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.count_label, paginator.num_pages) == (3, "2+", 1)
    (count,) = [q["sql"] for q in captured]
    assert "people_user" not in count and count.endswith("LIMIT 3) subquery")


def test_position_levels_are_the_distinct_levels_of_active_people():
    from people.models import User
    from rewards.selectors import position_levels

    for level in ("P3", "P1", "P3", "", "P10", "p2"):
        UserFactory(position_level=level)
    UserFactory(position_level="P9", is_active=False)
    expected = list(User.objects.filter(is_active=True).exclude(position_level="")
                    .order_by("position_level").values_list("position_level", flat=True)
                    .distinct())
    assert position_levels() == expected
    assert "P9" not in expected and "" not in expected and len(expected) == 4
