"""Email headers (issue 13): a proposal title with a line break made every email about that
proposal fail ("Header values can't contain newlines"). Newlines and control characters never
reach a header: the subject is made one line in one place (`workflow.mail.email_subject`),
for the notifications and the password invitations alike."""

import pytest
from django.core import mail

from notifications import tasks
from notifications.models import Notification
from people.invitations import invitation_email
from workflow.mail import email_subject

from .builders import logged

TITLE = "Queue lights\nat\r\nGidakom\x01 and\ttheir\x0b\x1b\x7f\x85 SMS\u2028calls"


@pytest.mark.parametrize("text, subject", [
    (TITLE, "Queue lights at Gidakom and their SMS calls"),
    ("Proposal screened out: A\nB", "Proposal screened out: A B"),
    ("\r\n  Trimmed  \n", "Trimmed"),
    ("Plain title", "Plain title"),
    ("", ""),
])
def test_the_subject_is_one_clean_line(text, subject):
    assert email_subject(text) == subject


def test_a_title_with_line_breaks_and_control_characters_is_emailed(world):
    world.proposal.title = TITLE
    world.proposal.save(update_fields=["title"])
    log = logged(world.proposal, "screen_out", actor=world.manager, note="Out of scope.")

    assert tasks.notify_transition.delay(log_id=log.pk).get() == 2

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert not any(ord(c) < 32 for c in message.subject)
        assert "Queue lights at Gidakom and their SMS calls" in message.subject
        message.message().as_bytes()  # the headers really are valid
    assert set(Notification.objects.values_list("email_status", flat=True)) == {
        Notification.EmailStatus.SENT}


def test_invitations_use_the_same_one_line_subject(world):
    message = invitation_email(world.member)
    assert message.subject == email_subject(message.subject)
    message.message().as_bytes()
