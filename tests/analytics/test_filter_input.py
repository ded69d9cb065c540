"""Bad filter input gets a clear message in the form it was asked in: a filter given twice,
a year given with a range, a download of an impossible choice (JSON or text, never a page),
an unknown download format."""

import pytest
from django.http import QueryDict

from analytics.filters import AnalyticsFilter
from search.text import MAX_QUERY_CHARS, parse_query


@pytest.fixture
def manager_client(client, world):
    client.force_login(world["manager"])
    return client


def test_a_filter_given_twice_is_refused(world, manager_client):
    r1, r2 = world["r1"].pk, world["r2"].pk
    form = AnalyticsFilter(QueryDict(f"round={r1}&round={r2}"))
    assert not form.is_valid() and "given more than once" in str(form.errors["round"])
    response = manager_client.get(f"/api/v1/analytics/funnel/?round={r1}&round={r2}")
    assert response.status_code == 400 and "round" in response.json()


def test_a_year_and_a_range_together_are_refused(world, manager_client):
    form = AnalyticsFilter(QueryDict("year=2024&year_from=2020"))
    assert not form.is_valid()
    assert "not both" in str(form.non_field_errors())
    page = manager_client.get("/analytics/funnel/", {"year": 2024, "year_from": 2020})
    assert page.status_code == 200 and "not both" in page.content.decode()
    assert AnalyticsFilter(QueryDict("year=2024")).is_valid()


@pytest.mark.parametrize("kind, content_type", [("json", "application/json"),
                                                ("csv", "text/plain")])
def test_a_download_of_an_impossible_choice_answers_in_its_format(world, manager_client, kind,
                                                                  content_type):
    response = manager_client.get("/analytics/funnel/",
                                  {"download": kind, "year_from": 2025, "year_to": 2020})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(content_type)
    assert "ends (2020) before it starts (2025)" in response.content.decode()
    assert b"<html" not in response.content


def test_an_unknown_download_format_is_refused(world, manager_client):
    response = manager_client.get("/analytics/funnel/", {"download": "xml"})
    assert response.status_code == 400 and "csv or json" in response.content.decode()


@pytest.mark.parametrize("public", [False, True])
def test_a_download_of_an_unknown_table_is_refused_in_text(world, manager_client, public):
    """Never an HTML 404 page for a file (a walkthrough got Django's page for `table=nope`)."""
    path = "/analytics/public/funnel/" if public else "/analytics/funnel/"
    response = manager_client.get(path, {"download": "csv", "table": "nope"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert b"<html" not in response.content and "no such table" in body and "rounds" in body


def test_a_long_query_is_cut_between_words():
    word = "clinical"  # 9 characters with its space: 200 falls inside a word
    raw = " ".join([word] * 40)
    parsed = parse_query(raw + " zebra")
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert parsed.text.split() == [word] * (len(parsed.text.split()))  # no word cut in two
    assert parsed.note
