"""Blind review and confidential comments hold in notifications and their emails."""

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notify_event, notify_transition

from .builders import logged, make_assignment

SECRET = "Between us: the budget is padded."


def all_text(**filters) -> str:
    rows = Notification.objects.filter(**filters)
    return " ".join(f"{n.title} {n.body}" for n in rows)


def mailed_to(user) -> str:
    return " ".join(f"{m.subject} {m.body}" for m in mail.outbox if user.email in m.to)


def _review(assignment, *, to_applicant="Clear plan.", to_panel=SECRET):
    from reviews.models import Review

    return Review.objects.create(
        assignment=assignment, comment_to_applicant=to_applicant, comment_to_panel=to_panel,
        recommendation="fund",
    )


def test_a_reviewer_is_never_told_another_reviewers_name(world):
    first = make_assignment(world, world.reviewer)
    second = make_assignment(world, world.other_reviewer)
    for assignment in (first, second):
        notify_event(label="reviews.assignment", pk=assignment.pk, event="created")
        notify_transition(log_id=logged(assignment, "submit_review", actor=assignment.reviewer).pk)
    notify_transition(log_id=logged(world.proposal, "recommend", actor=world.chair,
                                    note="Strong public value.").pk)

    assert Notification.objects.filter(recipient=world.reviewer).exists()
    everything = all_text() + " ".join(m.body + m.subject for m in mail.outbox)
    for person in (world.reviewer, world.other_reviewer):
        for name in (person.first_name, person.last_name, person.username, str(person)):
            assert name not in everything


@pytest.mark.parametrize("transition", ["recommend", "reject", "request_revision"])
def test_an_applicant_never_sees_a_confidential_panel_comment(world, transition):
    assignment = make_assignment(world, world.reviewer, state="submitted")
    _review(assignment)
    note = "The panel asks for a clearer budget." if transition == "request_revision" else (
        "Strong public value, weak evaluation.")

    notify_transition(log_id=logged(world.proposal, transition, actor=world.chair, note=note).pk)

    lead_text = all_text(recipient=world.lead) + mailed_to(world.lead)
    assert note in lead_text  # the chair's note is written for the applicant
    assert SECRET not in all_text() + " ".join(m.body for m in mail.outbox)
    assert "Clear plan." not in lead_text  # review comments stay on the proposal's page


def test_an_internal_note_is_not_copied_where_the_table_does_not_say_so(world):
    notify_transition(log_id=logged(world.proposal, "send_to_review", actor=world.manager,
                                    note="Internal: check the partner letter.").pk)

    assert Notification.objects.filter(recipient=world.lead).exists()
    assert "partner letter" not in all_text() + " ".join(m.body for m in mail.outbox)


def test_no_notice_names_the_person_who_acted(world):
    for transition in ("screen_out", "send_to_review", "decline", "fund"):
        notify_transition(log_id=logged(world.proposal, transition, actor=world.manager).pk)
    text = all_text(recipient=world.lead)
    assert text
    assert "Sonam" not in text and "Dorji" not in text
