"""Nobody hears about a proposal they have a conflict of interest with (issue 12).

"Review submitted" reached a chair who leads the proposal, and its link opened a 404. The
notice table's audiences name people by role; one filter (`notices._may_be_told`, applied
to every audience) then leaves out anyone with a conflict, whatever the row. The applicants'
own notices still reach the lead and team, who are conflicted by definition.
"""

import pytest

from notifications import notices
from notifications.models import Notification
from notifications.services import notify, notify_event, notify_transition
from proposals.factories import ProposalFactory

from .builders import logged, make_assignment

PROPOSAL_TRANSITIONS = sorted(
    t for (label, t) in notices.TRANSITION_NOTICES if label == "proposals.proposal"
)


def told(**filters) -> set[str]:
    return set(Notification.objects.filter(**filters).values_list("recipient__username",
                                                                  flat=True))


def _join_the_leads_agency(*people, proposal):
    for person in people:
        person.agency = proposal.lead.agency
        person.save()


def test_a_chair_who_leads_the_proposal_is_not_told_a_review_was_submitted(world):
    """The issue's example."""
    own = ProposalFactory(round=world.round, lead=world.chair, in_review=True)
    from reviews.models import Assignment

    assignment = Assignment.objects.create(proposal=own, reviewer=world.reviewer,
                                           panel=world.panel, due_on="2030-01-01")

    notify_transition(log_id=logged(assignment, "submit_review", actor=world.reviewer).pk)
    notify_transition(log_id=logged(assignment, "declare_conflict", actor=world.reviewer).pk)

    assert "chair" not in told()


def test_a_fund_manager_from_the_leads_agency_is_not_asked_to_screen_it(world):
    _join_the_leads_agency(world.manager, proposal=world.proposal)

    notify_transition(log_id=logged(world.proposal, "submit", actor=world.lead).pk)

    assert told() == {"lead", "member"}  # the receipt still reaches the applicants


def test_a_reviewer_whose_conflict_arose_after_assignment_gets_no_reminder(world):
    assignment = make_assignment(world, world.reviewer, due_in_days=1)
    world.proposal.partner_agencies.add(world.reviewer.agency)

    notify(subject=assignment, notices=[notices.REMINDER_NOTICES["reminder.review_due"]],
           kind="reminder.review_due", key="reminder:test")
    notify_event(label="reviews.assignment", pk=assignment.pk, event="created")

    assert not Notification.objects.filter(recipient=world.reviewer).exists()


@pytest.mark.parametrize("transition", PROPOSAL_TRANSITIONS)
def test_no_proposal_notice_reaches_anyone_conflicted_but_the_applicants(world, transition):
    _join_the_leads_agency(world.manager, world.chair, world.hr, world.reviewer,
                           world.other_reviewer, world.outsider, proposal=world.proposal)

    notify_transition(log_id=logged(world.proposal, transition, actor=world.manager).pk)

    assert told() <= {"lead", "member"}


@pytest.mark.parametrize("transition", ["submit_review", "declare_conflict"])
def test_no_assignment_notice_reaches_a_conflicted_chair(world, transition):
    assignment = make_assignment(world, world.reviewer)
    _join_the_leads_agency(world.chair, proposal=world.proposal)

    notify_transition(log_id=logged(assignment, transition, actor=world.reviewer).pk)

    assert "chair" not in told()


def test_without_a_conflict_the_same_people_are_told(world):
    assignment = make_assignment(world, world.reviewer)
    notify_transition(log_id=logged(assignment, "submit_review", actor=world.reviewer).pk)
    notify_transition(log_id=logged(world.proposal, "submit", actor=world.lead).pk)
    assert told() == {"chair", "lead", "member", "manager"}


def test_a_notice_that_names_nothing_of_the_proposal_still_reaches_its_reviewer(world):
    """Telling a reviewer that a conflict ended their assignment names no proposal."""
    assignment = make_assignment(world, world.reviewer)
    world.proposal.partner_agencies.add(world.reviewer.agency)
    ended = notices.Notice(notices.assigned_reviewer, "Your assignment ended",
                           "A conflict of interest arose; your assignment has ended.")

    notify(subject=assignment, notices=[ended], kind="test.ended", key="ended:test")

    assert told() == {world.reviewer.username}
    assert "Queue lights" not in Notification.objects.get().title + Notification.objects.get().body
