"""Paging of the API lists (api_common/pagination.py): `page_size` honoured and capped, bad
input answered plainly, and keyset (`?cursor=`) walks that see every row exactly once, in the
page-number order, through the same visibility rules."""

import base64
import datetime
import json

import pytest
from django.utils import timezone

from fund.factories import RoundFactory
from notifications.factories import NotificationFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment
from reviews.selectors import assignments_visible_to
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager():
    return UserFactory(fund_manager=True)


@pytest.fixture
def proposals(manager):
    round_ = RoundFactory()
    return [ProposalFactory(round=round_, submitted=True) for _ in range(12)]


def _get(client, url):
    response = client.get(url)
    return response.status_code, response.json()


def _walk(client, url, direction="next"):
    """Follow `next` (or `previous`) from `url`; the ids of every page, in order."""
    pages = []
    while url:
        status, body = _get(client, url)
        assert status == 200, body
        assert body["count"] is None
        pages.append([row["id"] for row in body["results"]])
        url = body[direction]
        assert len(pages) < 100
    return pages


def test_page_size_is_honoured(manager, proposals):
    status, body = _get(client_for(manager), "/api/v1/proposals/?page_size=5")
    assert status == 200 and body["count"] == 12 and len(body["results"]) == 5
    assert "page=2" in body["next"] and "page_size=5" in body["next"]
    status, body = _get(client_for(manager), "/api/v1/proposals/?page_size=5&page=3")
    assert len(body["results"]) == 2 and body["next"] is None


@pytest.mark.parametrize("value", ["5", "1000", "9" * 40])
def test_page_size_is_cut_to_the_maximum(manager, proposals, settings, value):
    settings.API_PAGE_SIZE_MAX = 4
    status, body = _get(client_for(manager), f"/api/v1/proposals/?page_size={value}")
    assert status == 200 and len(body["results"]) == 4 and body["count"] == 12


def test_default_page_size(manager, proposals, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}  # PAGE_SIZE read at import: 25
    status, body = _get(client_for(manager), "/api/v1/proposals/")
    assert len(body["results"]) == 12 and body["next"] is None and body["previous"] is None


@pytest.mark.parametrize("value", ["0", "-3", "ten", "1.5", "9" * 5000])
def test_a_bad_page_size_is_400_saying_why(manager, proposals, value):
    status, body = _get(client_for(manager), f"/api/v1/proposals/?page_size={value}")
    assert status == 400
    assert "page_size must be a whole number from 1 to 200" in body["page_size"][0]


@pytest.mark.parametrize("value", ["99", "0", "x", "99999999999", "1000000000000000000",
                                   "9223372036854775807", "99999999999999999999", "9" * 500])
@pytest.mark.parametrize("path", ["/api/v1/proposals/", "/api/v1/funds/"])
def test_a_page_that_does_not_exist_is_404(manager, proposals, value, path):
    """Found by an outsider's attack: a page past 2^63 − 1 rows was a 500 (an offset the
    database's integers cannot hold)."""
    status, body = _get(client_for(manager), f"{path}?page={value}")
    assert status == 404 and "There is no page" in body["detail"]


def _token(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "nonsense", "%%%", _token({"v": ["yesterday", 3]}), _token({"v": [1]}), _token([1, 2]),
    _token({"v": ["2026-01-01T00:00:00+00:00", "x"]}), _token({"v": [None, 1]}),
    _token({"v": ["2026-01-01T00:00:00+00:00", 10 ** 30]}),
    # a date alone, a time without its zone, a NUL (found by an outsider's attack)
    _token({"v": ["2026-12-01", 3]}), _token({"v": ["2026-12-01T10:00:00", 3]}),
    _token({"v": ["2026-12-01T10:00:00+00:00\u0000", 3]}),
])
def test_a_bad_cursor_is_400_saying_why(manager, proposals, cursor):
    status, body = _get(client_for(manager), f"/api/v1/proposals/?cursor={cursor}")
    assert status == 400, body
    assert "This cursor is not one this list gave" in body["cursor"][0]


def test_cursor_walk_sees_every_row_once_in_page_order(manager, proposals):
    client = client_for(manager)
    # Ties on the ordering field: the id decides.
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[:6]]).update(
        updated_at=timezone.now() - datetime.timedelta(days=1))
    pages = _walk(client, "/api/v1/proposals/?cursor=&page_size=5")
    assert [len(p) for p in pages] == [5, 5, 2]
    walked = [i for page in pages for i in page]
    _, body = _get(client, "/api/v1/proposals/?page_size=100")
    assert walked == [row["id"] for row in body["results"]]
    assert len(set(walked)) == 12


def test_previous_walks_back_to_the_first_page(manager, proposals):
    client = client_for(manager)
    pages = _walk(client, "/api/v1/proposals/?cursor=&page_size=5")
    status, body = _get(client, "/api/v1/proposals/?cursor=&page_size=5")
    assert body["previous"] is None
    url = body["next"]
    _, second = _get(client, url)
    _, third = _get(client, second["next"])
    assert [r["id"] for r in third["results"]] == pages[2]
    back = _walk(client, third["previous"], direction="previous")
    assert back == [pages[1], pages[0]]


def test_cursor_walk_is_stable_while_rows_are_added(manager, proposals):
    client = client_for(manager)
    _, body = _get(client, "/api/v1/proposals/?cursor=&page_size=5")
    seen = [r["id"] for r in body["results"]]
    # New proposals arrive at the top of the list (newest change first) mid-walk.
    for _ in range(3):
        ProposalFactory(round=proposals[0].round, submitted=True)
    url = body["next"]
    while url:
        _, body = _get(client, url)
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(p.pk for p in proposals)


def test_page_query_is_ignored_on_a_cursor_walk(manager, proposals):
    status, body = _get(client_for(manager), "/api/v1/proposals/?cursor=&page=99&page_size=5")
    assert status == 200 and len(body["results"]) == 5 and "page=" not in body["next"]


def test_a_list_without_keyset_paging_ignores_cursor(manager, proposals):
    status, body = _get(client_for(manager), "/api/v1/people/?cursor=abc")
    assert status == 200 and body["count"] >= 1


def test_cursor_walk_shows_a_reviewer_exactly_what_they_may_see():
    """Lead, team, invitation, assignment (not a conflict), chair: and nothing else."""
    round_ = RoundFactory()
    person = UserFactory()
    mine = [ProposalFactory(round=round_, lead=person, ready=True)]
    joined = ProposalFactory(round=round_, submitted=True)
    TeamMemberFactory(proposal=joined, user=person)
    invited = ProposalFactory(round=round_, submitted=True)
    TeamMemberFactory(proposal=invited, user=person, invited=True)
    assigned = [AssignmentFactory(proposal__round=round_, reviewer=person).proposal
                for _ in range(4)]
    AssignmentFactory(proposal__round=round_, reviewer=person, conflict=True)
    chaired_round = RoundFactory()
    PanelFactory(round=chaired_round, chair=person)
    chaired = [ProposalFactory(round=chaired_round, in_review=True) for _ in range(3)]
    ProposalFactory(round=chaired_round, submitted=True)  # not sent to review
    ProposalFactory.create_batch(5, round=round_, submitted=True)  # not theirs
    pages = _walk(client_for(person), "/api/v1/proposals/?cursor=&page_size=3")
    walked = [i for page in pages for i in page]
    expected = {p.pk for p in [*mine, joined, invited, *assigned, *chaired]}
    assert len(walked) == len(set(walked)) == len(expected)
    assert set(walked) == expected == set(proposals_visible_to(person).values_list("pk", flat=True))


def test_assignments_cursor_walk_is_the_visible_list_in_order():
    chair = UserFactory()
    panel = PanelFactory(chair=chair)
    for days in (5, 5, 3, 9, 1, 5, 7):
        AssignmentFactory(proposal__round=panel.round, panel=panel,
                          due_on=timezone.localdate() + datetime.timedelta(days=days))
    AssignmentFactory.create_batch(3)  # other panels
    conflicted = AssignmentFactory(proposal__round=panel.round, panel=panel,
                                   proposal__lead__agency=chair.agency)
    pages = _walk(client_for(chair), "/api/v1/assignments/?cursor=&page_size=2")
    walked = [i for page in pages for i in page]
    expected = list(assignments_visible_to(chair).values_list("pk", flat=True))
    assert walked == expected and len(expected) == 7
    assert conflicted.pk not in walked
    assert Assignment.objects.count() == 11


def test_notifications_cursor_walk(manager):
    person = UserFactory()
    made = NotificationFactory.create_batch(7, recipient=person)
    NotificationFactory.create_batch(3, recipient=manager)
    pages = _walk(client_for(person), "/api/v1/notifications/?cursor=&page_size=3")
    assert sorted(i for page in pages for i in page) == sorted(n.pk for n in made)


def test_schema_documents_paging(client, manager):
    client.force_login(manager)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/proposals/", "/api/v1/assignments/", "/api/v1/awards/",
                 "/api/v1/notifications/", "/api/v1/tranches/"):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"page", "page_size", "cursor"} <= names, path
    names = {p["name"] for p in schema["paths"]["/api/v1/people/"]["get"]["parameters"]}
    assert {"page", "page_size"} <= names and "cursor" not in names
    page_size = next(p for p in schema["paths"]["/api/v1/people/"]["get"]["parameters"]
                     if p["name"] == "page_size")
    assert "at most 200" in page_size["description"]


def test_two_step_fetch_keeps_order_and_falls_back_where_it_cannot_filter(proposals):
    from api_common.pagination import fetch_rows

    ordered = Proposal.objects.order_by("-id")
    ids = list(ordered.values_list("pk", flat=True))
    assert [p.pk for p in fetch_rows(ordered, 2, 7)] == ids[2:7]
    assert [p.pk for p in fetch_rows(ordered.distinct(), 2, 7)] == ids[2:7]
    union = Proposal.objects.filter(pk__in=ids[:3]).order_by().union(
        Proposal.objects.filter(pk__in=ids[3:6]).order_by())
    assert len(fetch_rows(union.order_by("-id"), 0, 10)) == 6
    assert fetch_rows(list(range(10)), 3, 5) == [3, 4]
    assert fetch_rows(ordered, 50, 60) == []


def test_two_step_fetch_keeps_an_aggregate_over_a_filtered_join(proposals):
    """Found by an outsider's review: re-reading a page by id alone drops the filter, so an
    aggregate over a join the filter narrowed would count what the filter left out."""
    from django.db.models import Count

    from api_common.pagination import fetch_rows
    from people.factories import AgencyFactory

    wanted, other = AgencyFactory(code="WNT"), AgencyFactory(code="OTH")
    for proposal in proposals[:4]:
        proposal.partner_agencies.add(wanted, other)
    narrowed = (Proposal.objects.filter(partner_agencies=wanted)
                .annotate(partners=Count("partner_agencies")).order_by("-id"))
    expected = [(p.pk, p.partners) for p in narrowed]
    assert [n for _, n in expected] == [1, 1, 1, 1]
    assert [(p.pk, p.partners) for p in fetch_rows(narrowed, 0, 10)] == expected


# --- count: exact up to API_COUNT_EXACT_MAX, a longer list counted at most once a minute ----


@pytest.fixture
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def test_a_short_list_is_counted_now(manager, proposals, settings, fresh_cache):
    settings.API_COUNT_EXACT_MAX = 50
    client = client_for(manager)
    assert _get(client, "/api/v1/proposals/")[1]["count"] == 12
    ProposalFactory(round=proposals[0].round, submitted=True)
    assert _get(client, "/api/v1/proposals/")[1]["count"] == 13


def test_a_long_list_is_counted_in_full_and_that_count_kept_a_while(
        manager, proposals, settings, fresh_cache):
    settings.API_COUNT_EXACT_MAX = 5
    client = client_for(manager)
    status, body = _get(client, "/api/v1/proposals/?page_size=5")
    assert status == 200 and body["count"] == 12  # the full count, not the bound
    new = ProposalFactory(round=proposals[0].round, submitted=True)
    # The count is the one made a moment ago; the rows, next and previous are read now.
    status, body = _get(client, "/api/v1/proposals/?page_size=5&page=3")
    assert body["count"] == 12 and len(body["results"]) == 3 and body["next"] is None
    status, body = _get(client, "/api/v1/proposals/?page_size=5")
    assert body["results"][0]["id"] == new.pk
    fresh_cache.clear()
    assert _get(client, "/api/v1/proposals/?page_size=5")[1]["count"] == 13


def test_the_kept_count_is_each_persons_and_each_filters(proposals, settings, fresh_cache):
    settings.API_COUNT_EXACT_MAX = 2
    round_ = proposals[0].round
    one, other = UserFactory(fund_manager=True), UserFactory()
    for _ in range(4):
        ProposalFactory(round=round_, lead=other, ready=True)  # drafts: only their lead sees them
    assert _get(client_for(one), "/api/v1/proposals/")[1]["count"] == 12
    assert _get(client_for(other), "/api/v1/proposals/")[1]["count"] == 4
    assert _get(client_for(one), "/api/v1/proposals/?state=draft")[1]["count"] == 0
    assert _get(client_for(other), "/api/v1/proposals/?state=draft")[1]["count"] == 4


def test_next_comes_from_the_rows_and_a_page_past_them_is_404(
        manager, proposals, settings, fresh_cache):
    settings.API_COUNT_EXACT_MAX = 5
    client = client_for(manager)
    assert _get(client, "/api/v1/proposals/?page_size=5")[1]["count"] == 12
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[:4]]).delete()  # 8 rows left
    status, body = _get(client, "/api/v1/proposals/?page_size=5&page=2")
    assert status == 200 and len(body["results"]) == 3 and body["next"] is None
    status, body = _get(client, "/api/v1/proposals/?page_size=5&page=3")
    assert status == 404 and "There is no page" in body["detail"]


def test_last_page_of_a_long_list(manager, proposals, settings, fresh_cache):
    settings.API_COUNT_EXACT_MAX = 5
    status, body = _get(client_for(manager), "/api/v1/proposals/?page_size=5&page=last")
    assert status == 200 and len(body["results"]) == 2 and body["next"] is None
    assert "page=2" in body["previous"]


def test_counting_a_long_list_reads_a_bounded_number_of_rows_then_the_cache(
        manager, proposals, settings, fresh_cache):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.API_COUNT_EXACT_MAX = 5
    client = client_for(manager)
    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/proposals/")
    with CaptureQueriesContext(connection) as again:
        client.get("/api/v1/proposals/")
    counts = [q["sql"] for q in first.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 2 and "LIMIT 6" in counts[0]  # bounded, then the full count
    assert not [q for q in again.captured_queries if "COUNT(" in q["sql"].upper()]


def test_schema_documents_the_count(client, manager):
    client.force_login(manager)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listed = schema["components"]["schemas"]["PaginatedProposalList"]["properties"]["count"]
    assert listed["nullable"] is True
    assert "exact while at most 1000" in listed["description"]
    assert "60 s ago" in listed["description"]
