"""An outsider's attack on the filtered Reviewing figure counted from the facts
(analytics/facts.py `reviewing_figures`, `may_count_reviewing`, commit 3293f4f).

Each test is a finding: the figure is served from the facts (`stored=True`) and yet
differs from the live one (analytics/selectors.py `reviewing_figures`) on the same data,
or counts a review the viewer may not count now."""

import pytest
from django.db import connection

from analytics.figures import BUILDERS, build
from analytics.refresh import refresh_stored_figures
from people.factories import UserFactory
from reviews.factories import AssignmentFactory
from reviews.models import Assignment, Panel

from .test_facts import numbers

pytestmark = pytest.mark.django_db


def test_mean_spread_from_the_facts_is_not_cut_by_integer_division(world):
    """On SQLite the facts' mean spread is `(SUM(spread) - hidden) / n`: with whole-number
    spreads (scores of 1 to 5 give weighted scores 20, 40, ... 100) both sides are
    integers and SQLite divides them as integers (80 / 3 = 26), where the live AVG gives
    26.67. Found with nothing changed after the facts were built."""
    p = world["p"]
    r1v, r2v, _ = world["reviewers"]
    panel = Panel.objects.filter(round=world["r1"]).first()
    # A third proposal with two scored reviews, 100 and 60: spread 40. With rev (40) and
    # rej (0) the spreads sum to 80 over three proposals.
    AssignmentFactory(proposal=p["inel"], panel=panel, reviewer=r1v, submitted=True, score=5)
    AssignmentFactory(proposal=p["inel"], panel=panel, reviewer=r2v, submitted=True, score=3)
    manager = world["manager"]
    chosen = {"fund": world["funds"][0]}
    refresh_stored_figures()
    served = build("reviewing", viewer=manager, chosen=chosen)
    live = BUILDERS["reviewing"](viewer=manager, chosen=chosen)
    assert served.stored
    assert live.summary["mean_spread"] == pytest.approx(26.67, abs=0.01)
    assert served.summary["mean_spread"] == live.summary["mean_spread"], connection.vendor
    assert numbers(served) == numbers(live)


def test_a_conflict_flagged_while_another_is_cleared_with_the_same_id_sum_is_never_counted(world):
    """`conflicts_stamp` is the number of flagged assignments and the sum of their ids: two
    assignments flagged while two others leave `conflict` (a data fix) with the same id sum
    keep the stamp, and the facts, which hold the newly flagged two as counted reviews, are
    served with them. A review in conflict never counts (DOMAIN.md): the figure must be
    live, or leave them out."""
    p = world["p"]
    r1v, r2v, r3v = world["reviewers"]
    panel = Panel.objects.filter(round=world["r1"]).first()
    reviewers = [UserFactory() for _ in range(6)]
    panel.members.add(*reviewers)
    # Six assignments in a row of ids: a < b < c < d, with a + d == b + c.
    made = [AssignmentFactory(proposal=p[key], panel=panel, reviewer=reviewers[i],
                              submitted=True, score=3)
            for i, key in enumerate(("rev", "rej", "rec", "inel", "dec", "sub"))]
    a, b, c, d = made[0], made[1], made[2], made[3]
    assert a.pk + d.pk == b.pk + c.pk
    # At the facts: a and d (and the world's own) in conflict.
    Assignment.objects.filter(pk__in=[a.pk, d.pk]).update(state=Assignment.State.CONFLICT)
    manager = world["manager"]
    chosen = {"fund": world["funds"][0]}
    refresh_stored_figures()
    assert build("reviewing", viewer=manager, chosen=chosen).stored
    # Since: a and d cleared (a data fix), b and c flagged: the same count, the same id sum.
    Assignment.objects.filter(pk__in=[a.pk, d.pk]).update(state=Assignment.State.SUBMITTED)
    Assignment.objects.filter(pk__in=[b.pk, c.pk]).update(state=Assignment.State.CONFLICT)
    served = build("reviewing", viewer=manager, chosen=chosen)
    live = BUILDERS["reviewing"](viewer=manager, chosen=chosen)
    counted = {row["reviewer"] for row in numbers(served)["tables"]["reviewers"]["rows"]}
    flagged = {r.get_full_name() or r.username for r in (b.reviewer, c.reviewer)}
    assert not (served.stored and counted & flagged), "reviews in conflict counted"
    assert not served.stored or numbers(served) == numbers(live)
