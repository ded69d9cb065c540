"""Delivery: after the commit only, once only, and despite a broker or mail server that is down."""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from notifications import tasks
from notifications.dispatch import enqueue
from notifications.models import Notification
from notifications.services import notify_transition, resend_notifications
from proposals.models import Proposal
from proposals.services import proposal_screen_out, proposal_send_to_review
from workflow.models import TransitionLog

from .builders import logged


class Boom(Exception):
    pass


def test_a_rolled_back_transition_sends_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom):
            with transaction.atomic():
                proposal_send_to_review(proposal=world.proposal, actor=world.manager)
                raise Boom

    assert callbacks == []
    world.proposal.refresh_from_db()
    assert world.proposal.state == Proposal.State.SUBMITTED
    assert not TransitionLog.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_nothing_is_enqueued_before_the_commit(world, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.notify_transition, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            proposal_send_to_review(proposal=world.proposal, actor=world.manager)
        delay.assert_not_called()
        for callback in callbacks:  # the notice's, and the acting chair's check
            callback()
    log = TransitionLog.objects.get()
    delay.assert_called_once_with(log_id=log.pk)


def test_running_the_task_twice_tells_and_emails_each_person_once(world):
    log = logged(world.proposal, "screen_out", actor=world.manager, note="Out of scope.")

    first = tasks.notify_transition.delay(log_id=log.pk).get()
    second = tasks.notify_transition.delay(log_id=log.pk).get()

    assert first == second == 2
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.lead.email, world.member.email])
    assert all(n.email_sent for n in Notification.objects.all())


def test_a_task_for_a_log_that_is_not_there_does_nothing(db):
    assert notify_transition(log_id=987654) == 0
    assert not Notification.objects.exists()


def test_a_broker_that_is_down_keeps_the_change_and_the_notices_and_logs_it(
    world, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.ERROR, logger="notifications.services")
    with mock.patch.object(tasks.notify_transition, "delay", side_effect=BrokerDown("refused")):
        with django_capture_on_commit_callbacks(execute=True):
            proposal_screen_out(proposal=world.proposal, actor=world.manager, reason="Too late.")

    world.proposal.refresh_from_db()
    assert world.proposal.state == Proposal.State.INELIGIBLE
    assert "Could not enqueue notifications.notify_transition" in caplog.text
    rows = Notification.objects.all()
    assert {n.recipient for n in rows} == {world.lead, world.member}
    assert {n.email_status for n in rows} == {Notification.EmailStatus.PENDING}
    assert mail.outbox == []

    # later, the resend (beat every 10 minutes, or the command by hand) sends them, once
    call_command("resend_notifications")
    call_command("resend_notifications")
    assert len(mail.outbox) == 2
    assert all(n.email_sent for n in Notification.objects.all())


def test_a_page_request_with_the_broker_down_still_succeeds(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    with mock.patch.object(tasks.notify_transition, "delay", side_effect=BrokerDown("refused")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/funds/rounds/{world.round.pk}/transitions/close/",
                                   {"note": "Closing early."})

    assert response.status_code == 302
    world.round.refresh_from_db()
    assert world.round.state == "closed"
    assert Notification.objects.filter(recipient=world.manager, kind="fund.round.close").exists()


def test_enqueue_never_raises_even_when_the_fallback_fails_too(caplog):
    task = mock.Mock(name="task")
    task.name = "notifications.notify_transition"
    task.delay.side_effect = BrokerDown("refused")
    fallback = mock.Mock(side_effect=Boom)

    enqueue(task, fallback, log_id=1)

    fallback.assert_called_once_with(email=False, log_id=1)
    assert "Notifying in-process failed too" in caplog.text


def test_a_mail_server_failure_is_recorded_and_retried_later(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    log = logged(world.proposal, "decline", actor=world.manager, note="Budget exhausted.")
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=OSError("mail server down")):
        notify_transition(log_id=log.pk)
    rows = Notification.objects.all()
    assert {n.email_status for n in rows} == {Notification.EmailStatus.FAILED}
    assert "mail server down" in rows[0].email_error

    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert resend_notifications() == 2
    assert len(mail.outbox) == 2
    assert resend_notifications() == 0


def test_resend_leaves_the_newest_to_their_task_and_skips_people_without_email(world):
    world.member.email = ""
    world.member.save()
    notify_transition(log_id=logged(world.proposal, "fund", actor=world.manager).pk, email=False)

    assert resend_notifications() == 0  # younger than two minutes: their task may still send
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert resend_notifications() == 1
    assert Notification.objects.get(recipient=world.member).email_status == "skipped"


def test_each_recipient_is_told_in_the_language_they_chose(world):
    """Issue 18: a person who chose Dzongkha reads the notice and the email footer in
    Dzongkha; one who chose nothing reads the default language (English)."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy as _

    from notifications import notices
    from notifications.services import notify

    with translation.override("dz"):
        home_dz = str(_("Home"))
    assert home_dz != "Home"  # the catalogue translates it (locale/dz)
    world.proposal.lead.language = "dz"
    world.proposal.lead.save(update_fields=["language"])
    world.proposal.lead.email = "lead@example.gov.bt"
    world.proposal.lead.save(update_fields=["email"])

    notify(subject=world.proposal, notices=[notices.Notice(notices.applicants, _("Home"), _("Home"))],
           kind="test.language", key="test-language")

    by_person = {n.recipient.username: n for n in Notification.objects.select_related("recipient")}
    assert by_person["lead"].title == by_person["lead"].body == home_dz
    assert by_person["member"].title == "Home"
    lead_email = next(m for m in mail.outbox if m.to == ["lead@example.gov.bt"])
    with translation.override("dz"):
        footer_dz = translation.gettext("Innovation Fund. All your notifications: %(url)s")
    assert footer_dz.split("%(url)s")[0] in lead_email.body
