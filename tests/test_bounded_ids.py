"""Bounded input (DOMAIN.md, Integrity rules; issue 13): ids in URLs and query strings are
range-checked, a clear 400 or 404 or an ignored filter, never a 500 — on SQLite (here) and
PostgreSQL (the second pass of .ci/run) alike. `/awards/?round=99999999999999999999` was a
500 on SQLite: the id reached a lookup through a foreign key, which SQLite cannot hold."""

import re

import pytest
from django.db import OperationalError, connection
from django.http import Http404
from django.test import override_settings
from django.urls import get_resolver, include, path
from django.urls.resolvers import URLPattern, URLResolver

from datafiles.exports import EXPORTS
from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.models import Proposal
from workflow.ids import MAX_ID, IdOverflowMiddleware, parse_id

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"
BAD = [BIG, "-1", "abc", "1.5"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager(client):
    user = UserFactory(username="manager", fund_manager=True, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.raise_request_exception = False  # a 500 is an answer to look at, not a crash
    return user


# --- the helper ------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("1", 1), (" 42 ", 42), ("007", 7), (42, 42), (str(MAX_ID), MAX_ID),
    (str(MAX_ID + 1), None), (BIG, None), ("0", None), ("-1", None), ("1.5", None),
    ("abc", None), ("", None), (None, None), ("４２", None), ("²", None), ("1e3", None),
    ("0x10", None), ("9" * 5000, None), (True, None), (0, None), (-3, None), (2**64, None),
])
def test_parse_id_accepts_exactly_1_to_2_63_minus_1(value, expected):
    assert parse_id(value) == expected


# --- query strings of every page and export with id filters -----------------------------------
PAGES = {
    "/awards/": ["round", "state"],
    "/funds/rounds/": ["fund", "state"],
    "/funds/rounds/new/": ["fund"],
    "/proposals/": ["round", "state"],
    "/proposals/queue/": ["round", "agency"],
    "/proposals/new/": ["round"],
    "/learnings/": ["agency", "tag", "kind"],
    "/learnings/public/": ["agency"],
    "/learnings/new/": ["proposal"],
    "/recognitions/new/": ["recipient"],
    "/nominations/": ["agency", "state"],
    "/nominations/new/": ["nominee"],
    "/people/": ["agency", "position_level"],
    "/reviews/": ["state"],
    "/reviews/panels/": ["round"],
    "/notifications/": ["show"],
    "/data/import/": ["kind"],
    "/data/export/360giving.csv": ["round"],
}
PAGE_CASES = [(url, name, value) for url, names in PAGES.items()
              for name in [*names, "page"] for value in BAD]


@pytest.mark.parametrize("url, name, value", PAGE_CASES)
def test_a_bad_id_in_a_page_filter_is_left_out(client, manager, url, name, value):
    response = client.get(url, {name: value})
    assert response.status_code == 200, (url, name, value, response.status_code)


EXPORT_CASES = [(kind, fmt, value) for kind in EXPORTS for fmt in ("csv", "xlsx")
                for value in BAD]


@pytest.mark.parametrize("kind, fmt, value", EXPORT_CASES)
def test_a_bad_round_in_an_export_is_a_clear_400(client, manager, kind, fmt, value):
    response = client.get(f"/data/export/{kind}.{fmt}", {"round": value})
    assert response.status_code == 400
    assert "round" in response.content.decode()


def test_a_round_that_names_nothing_exports_nothing(client, manager):
    response = client.get("/data/export/proposals.csv", {"round": str(MAX_ID)})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # exports stream (issue 16)
    assert body.decode("utf-8-sig").strip().count("\n") == 0  # the header only


def test_the_award_list_with_a_huge_round_shows_every_round(client, manager):
    RoundFactory(title="Spring round")
    response = client.get("/awards/", {"round": BIG})
    assert response.status_code == 200
    assert response.context["round_id"] == ""  # the filter is left out, "All rounds" chosen
    assert "this round only" not in response.content.decode()


API_FILTERS = {
    "/api/v1/awards/": ["round", "fund", "proposal", "state"],
    "/api/v1/tranches/": ["award", "state"],
    "/api/v1/rounds/": ["fund", "state"],
    "/api/v1/panels/": ["round"],
    "/api/v1/assignments/": ["round", "panel", "proposal", "reviewer", "state"],
    "/api/v1/proposals/": ["round", "agency", "state"],
    "/api/v1/team-members/": ["proposal", "state"],
    "/api/v1/learnings/": ["agency", "proposal", "author"],
    "/api/v1/learning-authors/": ["learning", "state"],
    "/api/v1/recognitions/": ["recipient"],
    "/api/v1/nominations/": ["nominee", "agency", "state"],
    "/api/v1/people/": ["agency"],
}
API_CASES = [(url, name, value) for url, names in API_FILTERS.items() for name in names
             for value in BAD]


@pytest.mark.parametrize("url, name, value", API_CASES)
def test_the_api_range_checks_its_filters_too(client, manager, url, name, value):
    response = client.get(url, {name: value})
    assert response.status_code in (200, 400, 404), (url, name, value, response.status_code)


# --- ids in paths ------------------------------------------------------------------------------
def _routes_with_ids() -> list[str]:
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = URLResolver._join_route(prefix, str(p.pattern))
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<int:" in route:
                found.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _url(route: str) -> str:
    url = re.sub(r"<int:\w+>", BIG, route)
    url = re.sub(r"<(?:str|slug):\w+>", "submit", url)
    return "/" + url


@pytest.mark.parametrize("route", _routes_with_ids())
def test_a_huge_id_in_a_path_is_not_found(client, manager, route):
    url = _url(route)
    got = client.get(url)
    assert got.status_code in (404, 405), (url, got.status_code)
    posted = client.post(url, {"note": "x"})
    assert posted.status_code in (400, 403, 404, 405), (url, posted.status_code)


def test_a_huge_proposal_id_is_404(client, manager):
    assert client.get(f"/proposals/{BIG}/").status_code == 404


# A view that reaches the database through a foreign key with the id from its path: the
# middleware is the net under every such lookup (SQLite raises OverflowError).
def _by_round(request, pk):
    from django.http import HttpResponse

    return HttpResponse(str(Proposal.objects.filter(round_id=pk).count()))


urlpatterns = [path("by-round/<int:pk>/", _by_round), path("", include("config.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_an_id_beyond_the_databases_integers_is_404_wherever_it_is_used(client, manager):
    assert client.get("/by-round/1/").status_code == 200
    # SQLite cannot hold the number (404); PostgreSQL compares it as a numeric and finds none.
    expected = (404,) if connection.vendor == "sqlite" else (200, 404)
    assert client.get(f"/by-round/{BIG}/").status_code in expected


def test_only_the_databases_overflow_is_a_404():
    middleware = IdOverflowMiddleware(lambda request: None)
    with pytest.raises(Http404):
        middleware.process_exception(None, OverflowError(
            "Python int too large to convert to SQLite INTEGER"))
    assert middleware.process_exception(None, OverflowError("math range error")) is None
    assert middleware.process_exception(None, OperationalError("database is locked")) is None
