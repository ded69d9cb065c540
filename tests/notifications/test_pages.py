"""The notifications page: one's own only, unread count, mark read."""

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from notifications.context_processors import unread
from notifications.factories import NotificationFactory
from notifications.models import Notification


@pytest.fixture
def inbox(world):
    return {
        "old": NotificationFactory(recipient=world.lead, title="Older news", read=True),
        "new": NotificationFactory(recipient=world.lead, title="Proposal received: Queue lights",
                                   url=f"/proposals/{world.proposal.pk}/"),
        "theirs": NotificationFactory(recipient=world.member, title="Someone else's news"),
    }


def test_the_list_shows_my_notifications_newest_first_with_the_unread_count(world, inbox, client):
    client.force_login(world.lead)
    response = client.get("/notifications/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Proposal received: Queue lights") < html.index("Older news")
    assert "Someone else" not in html
    assert "1 unread" in html
    assert [n.pk for n in response.context["page_obj"]] == [inbox["new"].pk, inbox["old"].pk]


def test_the_unread_filter(world, inbox, client):
    client.force_login(world.lead)
    response = client.get("/notifications/?show=unread")
    assert [n.pk for n in response.context["page_obj"]] == [inbox["new"].pk]
    response = client.get("/notifications/?show=read")
    assert [n.pk for n in response.context["page_obj"]] == [inbox["old"].pk]
    assert client.get("/notifications/?show=nonsense").context["show"] == "all"


def test_open_marks_read_and_goes_to_the_object(world, inbox, client):
    client.force_login(world.lead)
    target = inbox["new"].url
    response = client.post(f"/notifications/{inbox['new'].pk}/read/", {"next": target})
    assert response.status_code == 302 and response.url == target
    inbox["new"].refresh_from_db()
    assert inbox["new"].read_at is not None


def test_marking_read_never_redirects_off_site(world, inbox, client):
    client.force_login(world.lead)
    response = client.post(f"/notifications/{inbox['new'].pk}/read/",
                           {"next": "https://evil.example/"})
    assert response.url == "/notifications/"


def test_someone_elses_notification_is_a_404_and_stays_unread(world, inbox, client):
    client.force_login(world.lead)
    assert client.post(f"/notifications/{inbox['theirs'].pk}/read/").status_code == 404
    inbox["theirs"].refresh_from_db()
    assert inbox["theirs"].read_at is None


def test_mark_all_read_touches_only_mine(world, inbox, client):
    NotificationFactory(recipient=world.lead)
    client.force_login(world.lead)
    response = client.post("/notifications/read-all/", follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=world.lead, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=inbox["theirs"].pk).read_at is None


def test_the_context_processor_counts_unread_lazily(world, inbox, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = world.lead
    with django_assert_num_queries(0):
        context = unread(request)
    template = engines["django"].from_string("{{ unread_notifications }}/{{ unread_notifications }}")
    with django_assert_num_queries(1):
        assert template.render(context) == "1/1"


def test_the_context_processor_for_anonymous(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert unread(request) == {"unread_notifications": 0}


def test_the_list_takes_the_same_queries_for_10_and_200_rows(world, client):
    client.force_login(world.lead)
    counts = []
    for rows in (10, 190):
        NotificationFactory.create_batch(rows, recipient=world.lead)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/notifications/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["page_obj"]) == 25
    assert counts[0] == counts[1]
