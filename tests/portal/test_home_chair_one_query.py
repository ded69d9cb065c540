"""A chair's two home sections (awaiting decision, short of reviewers) are read in one query,
the acting-chair rule's SQL built once (issue 16), and list what the rules list, each with its
bounded count."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from people.factories import UserFactory
from portal import home
from proposals.factories import ProposalFactory
from reviews.chair_queries import at_quorum, short_of_reviewers
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment

pytestmark = pytest.mark.django_db


def _ids(section):
    return [p.pk for p in section["items"]]


def test_both_chair_sections_in_one_query_agree_with_the_rules():
    chair = UserFactory()
    panel = PanelFactory(chair=chair)
    required = panel.round.reviews_required
    waiting, short, own_open = [], [], []
    for _ in range(8):  # more than a section shows
        proposal = ProposalFactory(in_review=True, round=panel.round, panel=panel)
        for _r in range(required):
            AssignmentFactory(proposal=proposal, panel=panel, submitted=True)
        waiting.append(proposal.pk)
    for _ in range(2):  # at quorum, but the chair's own review is open: not theirs to decide
        proposal = ProposalFactory(in_review=True, round=panel.round, panel=panel)
        for _r in range(required):
            AssignmentFactory(proposal=proposal, panel=panel, submitted=True)
        AssignmentFactory(proposal=proposal, panel=panel, reviewer=chair)
        own_open.append(proposal.pk)
    for _ in range(3):  # nobody assigned yet
        short.append(ProposalFactory(in_review=True, round=panel.round, panel=panel).pk)

    panel_ids = home.chair_panel_ids(chair)
    assert not chair.is_hr_officer  # the roles are read once per request, before the sections
    with CaptureQueriesContext(connection) as queries:
        sections = home.chair_sections(user=chair, panel_ids=panel_ids)
    assert len(queries) == 1, [q["sql"][:200] for q in queries]

    mine = home._in_review_chaired_by(chair, panel_ids)
    own = Assignment.objects.filter(
        proposal=OuterRef("pk"), reviewer=chair, state=Assignment.State.ASSIGNED
    )
    rule_waiting = list(
        at_quorum(mine)
        .exclude(Exists(own))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    rule_short = list(
        short_of_reviewers(mine).order_by("submitted_at", "pk").values_list("pk", flat=True)
    )
    assert sorted(rule_waiting) == sorted(waiting)
    assert set(short) <= set(rule_short)
    found = sections["awaiting_decision"]
    assert _ids(found) == rule_waiting[: home.DASHBOARD_LIMIT]
    assert (found["count"], found["more"]) == (len(rule_waiting), True)
    found = sections["short_of_reviewers"]
    assert _ids(found) == rule_short[: home.DASHBOARD_LIMIT]
    assert found["count"] == len(rule_short)
    assert [p.submitted_reviews for p in sections["awaiting_decision"]["items"]] == [required] * 5
