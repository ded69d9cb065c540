"""The notifications page says who or what, leaves done tasks out of the unread count, and is
compact (issue 15: 25 notices were 8,500 pixels, "Nomination to endorse" five times, and tasks
done long ago still unread)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import inbox
from notifications.factories import NotificationFactory
from notifications.models import Notification
from notifications.selectors import unread_count
from people.factories import UserFactory
from reviews.factories import AssignmentFactory
from rewards import services as rewards_services
from rewards.factories import NominationFactory
from workflow.display import day

pytestmark = pytest.mark.django_db


def _notice(recipient, subject, kind, title):
    return NotificationFactory(
        recipient=recipient, kind=kind, title=title,
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk,
        url=f"/somewhere/{subject.pk}/",
    )


def _page(client, user):
    client.force_login(user)
    response = client.get("/notifications/")
    assert response.status_code == 200
    return response


# --- titles that say who or what -----------------------------------------------------------------
def test_a_nomination_to_endorse_names_the_nominee_even_on_an_old_row(client):
    manager = UserFactory(fund_manager=True)
    karma = NominationFactory(nominee=UserFactory(first_name="Karma", last_name="Dorji"))
    pema = NominationFactory(nominee=UserFactory(first_name="Pema", last_name="Lhamo"))
    for nomination in (karma, pema):  # stored as they were sent, before this issue
        _notice(manager, nomination, "rewards.nomination.created", "Nomination to endorse")
    html = _page(client, manager).content.decode()
    assert "Nomination of Karma Dorji to endorse" in html
    assert "Nomination of Pema Lhamo to endorse" in html
    assert "Nomination to endorse<" not in html


def test_the_nominator_reads_whose_nomination_moved(client):
    nomination = NominationFactory(
        nominee=UserFactory(first_name="Karma", last_name="Dorji"), endorsed=True)
    _notice(nomination.nominated_by, nomination, "rewards.nomination.endorse",
            "Your nomination was endorsed")
    assert "Your nomination of Karma Dorji was endorsed" in _page(
        client, nomination.nominated_by).content.decode()


def test_a_review_says_which_proposal_and_when_it_is_due(client):
    assignment = AssignmentFactory(proposal__title="Mobile clinics")
    _notice(assignment.reviewer, assignment, "reviews.assignment.created",
            "Assigned for review: Mobile clinics")
    html = _page(client, assignment.reviewer).content.decode()
    assert f"Review of “Mobile clinics” due {day(assignment.due_on)}" in html


def test_an_overdue_review_says_so(client):
    assignment = AssignmentFactory(proposal__title="Mobile clinics",
                                   due_on=timezone.localdate() - timedelta(days=2))
    _notice(assignment.reviewer, assignment, "reminder.review_overdue", "Review overdue")
    assert (f"Review of “Mobile clinics” overdue since {day(assignment.due_on)}"
            in _page(client, assignment.reviewer).content.decode())


def test_a_notice_without_an_object_keeps_its_title(client):
    user = UserFactory()
    NotificationFactory(recipient=user, title="Round open for proposals: Spring")
    assert "Round open for proposals: Spring" in _page(client, user).content.decode()


# --- done tasks leave the unread count ----------------------------------------------------------
def test_endorsing_marks_every_managers_to_endorse_notice_done_and_read(
        client, django_capture_on_commit_callbacks):
    first, second = UserFactory(fund_manager=True), UserFactory(fund_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        nomination = NominationFactory(nominee=UserFactory(first_name="Karma", last_name="Dorji"))
    to_endorse = Notification.objects.filter(kind="rewards.nomination.created",
                                             object_id=nomination.pk)
    assert {n.recipient for n in to_endorse} >= {first, second}
    assert unread_count(user=second) == 1
    with django_capture_on_commit_callbacks(execute=True):
        rewards_services.nomination_endorse(nomination=nomination, actor=first)
    for notice in to_endorse.filter(recipient__in=[first, second]):
        assert notice.read_at is not None and notice.done_at is not None
    assert unread_count(user=second) == 0
    html = _page(client, second).content.decode()
    assert "Nomination of Karma Dorji to endorse" in html and "Done" in html
    # The nominator's news is not a task: it stays unread until they read it.
    told = Notification.objects.get(kind="rewards.nomination.endorse",
                                    recipient=nomination.nominated_by)
    assert told.read_at is None and told.done_at is None


def test_an_old_unread_task_already_done_is_settled_when_the_page_opens(client):
    manager = UserFactory(fund_manager=True)
    done = NominationFactory(endorsed=True)
    waiting = NominationFactory()
    old = _notice(manager, done, "rewards.nomination.created", "Nomination to endorse")
    still = _notice(manager, waiting, "rewards.nomination.created", "Nomination to endorse")
    assert unread_count(user=manager) == 2
    response = _page(client, manager)
    old.refresh_from_db()
    still.refresh_from_db()
    assert old.read_at is not None and old.done_at is not None
    assert still.read_at is None and still.done_at is None
    assert unread_count(user=manager) == 1
    assert "1 unread" in response.content.decode()


def test_submitting_a_review_settles_the_reviewers_assignment_and_reminders():
    assignment = AssignmentFactory()
    assigned = _notice(assignment.reviewer, assignment, "reviews.assignment.created", "Assigned")
    reminder = _notice(assignment.reviewer, assignment, "reminder.review_due", "Review due")
    assert inbox.settle(content_type_id=assigned.content_type_id, object_id=assignment.pk) == 0
    type(assignment).objects.filter(pk=assignment.pk).update(state="submitted")
    assert inbox.settle(content_type_id=assigned.content_type_id, object_id=assignment.pk) == 2
    for notice in (assigned, reminder):
        notice.refresh_from_db()
        assert notice.read_at is not None and notice.done_at is not None


def test_every_task_kind_names_a_kind_the_notice_table_sends():
    from notifications.notices import EVENT_NOTICES, REMINDER_NOTICES, TRANSITION_NOTICES

    sent = {f"{label}.{name}" for label, name in [*TRANSITION_NOTICES, *EVENT_NOTICES]}
    sent |= set(REMINDER_NOTICES)
    assert set(inbox.TASKS) <= sent
    assert set(inbox.TITLES) <= sent


# --- compact, and bounded ------------------------------------------------------------------------
def _mixed_rows(user, count):
    for _ in range(count):
        _notice(user, NominationFactory(), "rewards.nomination.created", "Nomination to endorse")
        _notice(user, AssignmentFactory(reviewer=user), "reviews.assignment.created", "Assigned")
        NotificationFactory(recipient=user)


def test_the_list_takes_the_same_queries_for_one_and_many_of_each_kind(client):
    user = UserFactory(fund_manager=True)
    client.force_login(user)
    counts = []
    for rows in (1, 8):
        _mixed_rows(user, rows)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/notifications/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["notifications"]) == 25
    assert counts[0] == counts[1], counts


def test_each_notice_is_one_line_with_its_text_folded_away(client):
    user = UserFactory()
    NotificationFactory.create_batch(3, recipient=user, body="A long text " * 40,
                                     url="/proposals/")
    html = _page(client, user).content.decode()
    items = html.split('<li class="notice')[1:]
    assert len(items) == 3
    for item in items:
        assert "<h2" not in item and "<h3" not in item
        assert "<details class=\"notice-body\">" in item
        assert item.count("<button") == 2  # the title (opens it) and "Mark read"


def test_the_api_says_when_a_task_was_done(client):
    from rest_framework.test import APIClient

    manager = UserFactory(fund_manager=True)
    notice = _notice(manager, NominationFactory(endorsed=True), "rewards.nomination.created",
                     "Nomination to endorse")
    inbox.settle_for(user=manager)
    api = APIClient()
    api.force_authenticate(manager)
    [row] = api.get("/api/v1/notifications/").json()["results"]
    assert row["id"] == notice.pk and row["done_at"] is not None and row["unread"] is False


def test_the_home_page_titles_recent_notifications_the_same_way(client):
    manager = UserFactory(fund_manager=True)
    nomination = NominationFactory(nominee=UserFactory(first_name="Karma", last_name="Dorji"))
    _notice(manager, nomination, "rewards.nomination.created", "Nomination to endorse")
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert "Nomination of Karma Dorji to endorse" in html
