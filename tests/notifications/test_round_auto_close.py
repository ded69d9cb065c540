"""Rounds close by themselves at `closes_at` (fund/tasks.py), by beat or by hand."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from fund.factories import RoundFactory
from fund.models import Round
from fund.tasks import close_due_rounds, close_due_rounds_task, rounds_due_to_close
from notifications.models import Notification
from people.factories import UserFactory
from workflow.services import history


def _rounds():
    now = timezone.now()
    return {
        "due": RoundFactory(closes_at=now - timedelta(minutes=1)),
        "exactly_now": RoundFactory(closes_at=now),
        "later": RoundFactory(closes_at=now + timedelta(hours=1)),
        "draft_past": RoundFactory(draft=True, closes_at=now - timedelta(days=1)),
        "closed_past": RoundFactory(closed=True, closes_at=now - timedelta(days=1)),
        "archived_past": RoundFactory(archived=True, closes_at=now - timedelta(days=2)),
    }


def test_only_open_rounds_past_their_closing_time_are_due(db):
    rounds = _rounds()
    now = rounds["exactly_now"].closes_at
    assert set(rounds_due_to_close(now=now)) == {rounds["due"], rounds["exactly_now"]}


def test_due_rounds_close_as_the_system_and_the_others_stay(db):
    rounds = _rounds()

    closed = close_due_rounds(now=rounds["exactly_now"].closes_at)

    assert {r.pk for r in closed} == {rounds["due"].pk, rounds["exactly_now"].pk}
    states = {name: Round.objects.get(pk=r.pk).state for name, r in rounds.items()}
    assert states == {"due": "closed", "exactly_now": "closed", "later": "open",
                      "draft_past": "draft", "closed_past": "closed", "archived_past": "archived"}
    (entry,) = history(rounds["due"])
    assert (entry.transition, entry.actor, entry.from_state) == ("close", None, "open")
    assert "automatically" in entry.note


def test_closing_twice_closes_once(db):
    due = RoundFactory(closes_at=timezone.now() - timedelta(minutes=5))
    assert len(close_due_rounds()) == 1
    assert close_due_rounds() == []
    assert len(history(due)) == 1


def test_the_task_and_the_command_close_due_rounds_and_fund_managers_hear_of_it(
    db, django_capture_on_commit_callbacks
):
    manager = UserFactory(fund_manager=True)
    first = RoundFactory(closes_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_rounds_task.delay().get() == [first.pk]
    assert Notification.objects.get(kind="fund.round.close").recipient == manager

    second = RoundFactory(title="Second call", closes_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("close_due_rounds", stdout=out)
    assert "Closed Second call" in out.getvalue() and "1 round(s) closed." in out.getvalue()
    second.refresh_from_db()
    assert second.state == "closed"
