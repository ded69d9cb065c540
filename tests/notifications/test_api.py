"""`notifications/` in the API: the requesting user's own, newest first, with `unread`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.factories import NotificationFactory


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_login(world.lead)
    return client


def test_the_list_is_mine_newest_first_with_unread(world, api):
    old = NotificationFactory(recipient=world.lead, read=True)
    new = NotificationFactory(recipient=world.lead, url="/proposals/1/")
    NotificationFactory(recipient=world.member)

    body = api.get("/api/v1/notifications/").json()

    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [new.pk, old.pk]
    first = body["results"][0]
    assert first["unread"] is True and first["read_at"] is None
    assert set(first) >= {"id", "kind", "title", "body", "url", "subject_type", "subject_id",
                          "created_at", "read_at", "unread"}
    assert body["results"][1]["unread"] is False


def test_the_unread_filter(world, api):
    NotificationFactory(recipient=world.lead, read=True)
    unread = NotificationFactory(recipient=world.lead)
    assert [n["id"] for n in api.get("/api/v1/notifications/?unread=true").json()["results"]] == [
        unread.pk]
    assert api.get("/api/v1/notifications/?unread=false").json()["count"] == 1


def test_subject_type_names_the_object(world, api):
    from notifications.services import notify_transition

    from .builders import logged

    notify_transition(log_id=logged(world.proposal, "submit", actor=world.lead).pk)
    (row,) = api.get("/api/v1/notifications/").json()["results"]
    assert row["subject_type"] == "proposals.proposal"
    assert row["subject_id"] == world.proposal.pk
    assert row["url"] == f"/proposals/{world.proposal.pk}/"


def test_marking_read(world, api):
    notification = NotificationFactory(recipient=world.lead)
    response = api.post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False
    first_read = response.json()["read_at"]
    again = api.post(f"/api/v1/notifications/{notification.pk}/read/").json()
    assert again["read_at"] == first_read  # reading twice keeps the first time


def test_someone_elses_notification_is_a_404(world, api):
    theirs = NotificationFactory(recipient=world.member)
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.unread


def test_token_authentication_works_and_anonymous_is_401(world):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    assert client.get("/api/v1/notifications/").status_code == 401
    token = Token.objects.create(user=world.lead)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/notifications/").status_code == 200


def test_the_list_takes_the_same_queries_for_10_and_200_rows(world):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.lead).key}")
    counts = []
    for rows in (10, 190):
        NotificationFactory.create_batch(rows, recipient=world.lead)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/notifications/")
        counts.append(len(queries))
    assert response.json()["count"] == 200 and len(response.json()["results"]) == 25
    # token and user, the count, the page's ids, its rows (api_common.pagination.fetch_rows)
    assert counts[0] == counts[1] == 4
