"""Reminders: reviews due within 3 days or overdue, outcome reports due; once a day at most."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from notifications.selectors import assignments_due_for_reminder, outcome_reports_due
from notifications.services import send_reminders
from notifications.tasks import send_reminders as send_reminders_task
from proposals.factories import ProposalFactory
from proposals.models import OutcomeReport

from .builders import award_for, make_assignment


@pytest.fixture
def today():
    return timezone.localdate()


def test_reviews_due_within_three_days_or_overdue_and_not_done_are_selected(world, today):
    from people.factories import UserFactory

    reviewers = [UserFactory() for _ in range(7)]
    due = {
        "today": make_assignment(world, reviewers[0], due_in_days=0),
        "in_3_days": make_assignment(world, reviewers[1], due_in_days=3),
        "overdue": make_assignment(world, reviewers[2], due_in_days=-4),
    }
    make_assignment(world, reviewers[3], due_in_days=4)  # not yet
    make_assignment(world, reviewers[4], due_in_days=1, state="submitted")  # done
    make_assignment(world, reviewers[5], due_in_days=-1, state="submitted")  # done late
    make_assignment(world, reviewers[6], due_in_days=1, state="conflict")  # declined

    assert set(assignments_due_for_reminder(today=today)) == set(due.values())


def test_a_reviewer_is_reminded_once_a_day_with_the_right_words(world, today):
    soon = make_assignment(world, world.reviewer, due_in_days=2)
    late = make_assignment(world, world.other_reviewer, due_in_days=-1)

    assert send_reminders(today=today) == {"reviews": 2, "outcome_reports": 0}
    send_reminders(today=today)  # beat fired twice, or someone ran the command too

    assert Notification.objects.count() == 2 and len(mail.outbox) == 2
    soon_notice = Notification.objects.get(recipient=world.reviewer)
    assert soon_notice.kind == "reminder.review_due"
    assert soon_notice.title.startswith(f"Review due {soon.due_on.day} ")
    assert Notification.objects.get(recipient=world.other_reviewer).kind == "reminder.review_overdue"
    assert late.reviewer == world.other_reviewer

    send_reminders(today=today + timedelta(days=1))  # the next day: one more each
    assert Notification.objects.count() == 4


def test_outcome_reports_are_due_once_the_award_has_ended(world, today):
    def funded(**award):
        proposal = ProposalFactory(funded=True, round=world.round, lead=world.lead,
                                   duration_months=1)
        award_for(proposal, by=world.manager, **award)
        return proposal

    ended = funded(approved_days_ago=60, tranche_due_in_days=(-40, -10))
    last_tranche_ahead = funded(approved_days_ago=60, tranche_due_in_days=(-30, 5))
    duration_running = funded(approved_days_ago=10, tranche_due_in_days=(-5,))
    reported = funded(approved_days_ago=90, tranche_due_in_days=(-60,))
    OutcomeReport.objects.create(
        proposal=reported, result="did_not_succeed", summary="s", indicators="i",
        amount_spent="10.00", citizen_feedback="c", next_step="stop", submitted_by=world.lead,
    )
    ProposalFactory(in_review=True, round=world.round)  # not funded

    assert outcome_reports_due(today=today) == [ended]
    assert {last_tranche_ahead, duration_running}.isdisjoint(outcome_reports_due(today=today))
    assert outcome_reports_due(today=today + timedelta(days=40)) == [
        ended, last_tranche_ahead, duration_running]


def test_the_team_is_reminded_of_a_due_outcome_report(world, today):
    proposal = ProposalFactory(funded=True, round=world.round, lead=world.lead, duration_months=1)
    from proposals.factories import TeamMemberFactory

    TeamMemberFactory(proposal=proposal, user=world.member)
    award_for(proposal, by=world.manager, approved_days_ago=45, tranche_due_in_days=(-20,))

    assert send_reminders_task.delay().get() == {"reviews": 0, "outcome_reports": 1}
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        world.lead.pk, world.member.pk}
    assert Notification.objects.first().kind == "reminder.outcome_report_due"


def test_the_command_reminds_and_accepts_a_date(world, today):
    make_assignment(world, world.reviewer, due_in_days=10)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "0 review(s)" in out.getvalue()
    call_command("send_reminders", "--date", (today + timedelta(days=8)).isoformat(), stdout=out)
    assert "1 review(s)" in out.getvalue()
    assert Notification.objects.get().recipient == world.reviewer
