"""List pages run the same number of queries for 10 rows as for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from rewards.factories import LearningFactory, NominationFactory, RecognitionFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _compare(client, url, add_rows):
    add_rows(10)
    few = _queries(client, url)
    add_rows(190)
    assert _queries(client, url) == few


def test_library_queries_do_not_grow(client):
    agency = AgencyFactory()
    author = UserFactory(agency=agency)
    client.force_login(UserFactory(agency=agency))

    def add(n):
        LearningFactory.create_batch(n, created_by=author, authors=[author, UserFactory(agency=agency)],
                                     tags=["health", "sms"])

    _compare(client, "/learnings/", add)
    _compare(client, "/learnings/?q=patients&kind=mixed", lambda n: None)


def test_public_learnings_queries_do_not_grow(client):
    author = UserFactory()
    _compare(client, "/learnings/public/",
             lambda n: LearningFactory.create_batch(n, created_by=author, public=True, tags=["x"]))


def test_people_list_queries_do_not_grow(client):
    agency = AgencyFactory()
    client.force_login(UserFactory(hr_officer=True, agency=agency))
    fm = UserFactory(fund_manager=True, agency=agency)

    def add(n):
        for person in UserFactory.create_batch(n, agency=agency):
            RecognitionFactory(recipient=person, awarded_by=fm)
            NominationFactory(nominee=person, nominated_by=fm)

    _compare(client, "/people/", add)


def test_nominations_list_queries_do_not_grow(client):
    agency = AgencyFactory()
    nominator = UserFactory(agency=agency)
    client.force_login(UserFactory(hr_officer=True, agency=agency))
    _compare(client, "/nominations/", lambda n: NominationFactory.create_batch(
        n, nominated_by=nominator, nominee__agency=agency))


def test_api_lists_queries_do_not_grow(client):
    agency = AgencyFactory()
    client.force_login(UserFactory(hr_officer=True, agency=agency))
    nominator = UserFactory(agency=agency)
    _compare(client, "/api/v1/nominations/", lambda n: NominationFactory.create_batch(
        n, nominated_by=nominator, nominee__agency=agency))
    _compare(client, "/api/v1/learnings/", lambda n: LearningFactory.create_batch(
        n, created_by=nominator, tags=["a"]))
