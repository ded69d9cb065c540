"""The home page at national scale (issue 16): a section's count stops at `COUNT_BOUND`
("100+") with a LIMITed subquery instead of counting every visible row, and the
administrator's home runs the same number of queries however much is stalled."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import PanelFactory

pytestmark = pytest.mark.django_db


def _get(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), queries


def _counts(sql):
    """Each `SELECT COUNT(*) FROM (...) subquery` in `sql`, to its end."""
    found, start = [], sql.find("SELECT COUNT(*)")
    while start != -1:
        depth, opening = 0, sql.find("(", start + len("SELECT COUNT(*)"))
        at = opening
        for at in range(opening, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[at], 0)
            if depth == 0:
                break
        end = at + 1 + len(" subquery") if sql.startswith(" subquery", at + 1) else at + 1
        found.append(sql[start:end])
        start = sql.find("SELECT COUNT(*)", start + 1)
    return found


def test_a_long_queue_is_counted_only_up_to_the_bound(client, monkeypatch):
    from portal import home

    monkeypatch.setattr(home, "COUNT_BOUND", 3)
    manager = UserFactory(fund_manager=True, agency=AgencyFactory())
    for _ in range(5):
        ProposalFactory(submitted=True, partners=[], budget=False)
    client.force_login(manager)
    page, queries = _get(client)
    assert 'Proposals to screen <span class="count">3+</span>' in page
    # Every count is LIMITed (a section's count rides in the query of its rows), but the
    # header's unread badge: the viewer's own unread notices, on the index (recipient, read_at).
    counts = [count for q in queries for count in _counts(q["sql"])
              if '"notifications_notification"' not in count.split("WHERE")[0]]
    assert counts and all(count.endswith("LIMIT 4) subquery") for count in counts), [
        count for count in counts if not count.endswith("LIMIT 4) subquery")]
    monkeypatch.setattr(home, "COUNT_BOUND", 100)
    page, _ = _get(client)
    assert 'Proposals to screen <span class="count">5</span>' in page


def _stalled_world(admin_round, conflicted_agency, n):
    """`n` proposals in review whose panel's chair is conflicted (stalled) and `n` submitted
    ones every fund manager is conflicted with (a money step only an administrator sees)."""
    for _ in range(n):
        ProposalFactory(round=admin_round, in_review=True, partners=[conflicted_agency],
                        budget=False)
        ProposalFactory(submitted=True, partners=[conflicted_agency], budget=False)


def test_administrator_home_queries_do_not_grow_with_what_is_stalled(client):
    agency = AgencyFactory()
    UserFactory(fund_manager=True, agency=agency)  # conflicted with every proposal below
    chair = UserFactory(agency=agency)
    panel = PanelFactory(chair=chair, members=[UserFactory()])
    admin = UserFactory(is_superuser=True, is_staff=True, agency=None)
    client.force_login(admin)
    _stalled_world(panel.round, agency, 1)
    _get(client)  # warm the per-process caches
    _, one = _get(client)
    _stalled_world(panel.round, agency, 19)
    page, twenty = _get(client)
    assert len(twenty) == len(one), [q["sql"] for q in twenty]
    assert 'Proposals that need a chair or reviewers <span class="count">40</span>' in page
