"""Write side of notifications: telling people, emailing them, marking as read, reminders.

How a notification travels (see docs/background-work.md):
1. A transition commits; the listener registered with `workflow.services.on_transition`
   had asked for `transaction.on_commit(...)`, so nothing moves for a rolled-back change.
2. The on-commit hook sends a task to the broker. If the broker is down, the failure is
   logged and the notification rows are created right there in the request (emails left
   pending): the user's change is kept and nobody loses the in-app notice.
   (`dispatch.py`: the listener, the hook and the fallback.)
3. The task creates one row per recipient, keyed by a unique `dedupe_key`, then emails
   the rows it claims; a retried task finds the rows and the claims and sends nothing twice.
4. Unsent emails (broker was down, mail server refused) are sent by `resend_notifications`
   (a beat task every 10 minutes, and a management command).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from people.language import language_of
from workflow.mail import email_subject
from workflow.models import TransitionLog

from . import notices as table
from .models import Notification
from .notices import Notice

logger = logging.getLogger(__name__)

EMAIL_BATCH = 100


# --- creating notifications ------------------------------------------------------------------------
def notify(*, subject, notices: list[Notice], kind: str, key: str, note: str = "",
           email: bool = True) -> QuerySet[Notification]:
    """Tell each person in the notices' audiences once per `key`, then email them.

    Idempotent: a second call with the same key creates and sends nothing new (a person
    in several audiences of the same key gets the first notice only).
    """
    # Each recipient's in the language they chose, else the fund's (LANGUAGE_CODE), whatever
    # the language of the request that caused it: a Dzongkha reader's action must not put
    # Dzongkha dates into an English reader's message.
    with translation.override(settings.LANGUAGE_CODE):
        return _notify(subject=subject, notices=notices, kind=kind, key=key, note=note,
                       email=email)


def _notify(*, subject, notices, kind, key, note, email) -> QuerySet[Notification]:
    contexts: dict[str, dict] = {}  # the subject's words, once per language
    url = table.subject_url(subject)
    content_type = ContentType.objects.get_for_model(subject)
    rows: dict[int, Notification] = {}
    for notice in notices:
        for user in notice.audience(subject):
            if user is None or user.pk in rows:
                continue
            language = language_of(user)
            with translation.override(language):  # each in the language they chose
                if language not in contexts:
                    contexts[language] = table.context(subject)
                ctx = contexts[language]
                title = table.render(notice.title, ctx)[:200]
                body = table.render(notice.body, ctx)
                if notice.note_label and (note or "").strip():
                    body = f"{body}\n\n{notice.note_label}: {note.strip()}"
            rows[user.pk] = Notification(
                recipient=user, kind=kind, content_type=content_type, object_id=subject.pk,
                title=title, body=body, url=url, dedupe_key=f"{key}:u{user.pk}",
                email_status=(
                    Notification.EmailStatus.PENDING if user.email
                    else Notification.EmailStatus.SKIPPED
                ),
            )
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=500)
    created = Notification.objects.filter(dedupe_key__startswith=f"{key}:u")
    if email:
        send_emails(created)
    return created


def label_of(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def notify_transition(*, log_id: int, email: bool = True) -> int:
    """Tell whoever the notice table names about the transition logged as `log_id`."""
    log = TransitionLog.objects.select_related("content_type").filter(pk=log_id).first()
    if log is None:
        logger.warning("Transition log %s not found; nothing to notify", log_id)
        return 0
    notices = table.notices_for_transition(label_of(log.content_type), log.transition)
    subject = log.subject
    if not notices or subject is None:
        return 0
    rows = notify(
        subject=subject, notices=notices, kind=f"{label_of(log.content_type)}.{log.transition}",
        key=f"log:{log.pk}", note=log.note, email=email,
    )
    return rows.count()


def notify_event(*, label: str, pk: int, event: str, email: bool = True) -> int:
    """Tell whoever the notice table names that an object came into being (`created`)."""
    notices = table.notices_for_event(label, event)
    if not notices:
        return 0
    app_label, model = label.split(".")
    content_type = ContentType.objects.get_by_natural_key(app_label, model)
    subject = content_type.model_class()._base_manager.filter(pk=pk).first()
    if subject is None:
        logger.warning("%s %s not found; nothing to notify", label, pk)
        return 0
    rows = notify(subject=subject, notices=notices, kind=f"{label}.{event}",
                  key=f"{event}:{label}:{pk}", email=email)
    return rows.count()


# --- email (one-line subjects: workflow/mail.py) ------------------------------------------------
def _message(notification: Notification) -> EmailMessage:
    site = settings.SITE_URL.rstrip("/")
    link = f"\n\n{site}{notification.url}" if notification.url else ""
    with translation.override(language_of(notification.recipient)):
        footer = gettext("Innovation Fund. All your notifications: %(url)s") % {
            "url": f"{site}/notifications/"}
    body = f"{notification.body}{link}\n\n--\n{footer}"
    return EmailMessage(
        subject=email_subject(notification.title), body=body,
        to=[notification.recipient.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def _claim(ids: list[int]) -> list[int]:
    """Mark unsent rows as sent before sending, skipping rows another worker holds:
    two tasks never send the same email (at most once; a crash mid-send loses it)."""
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(
                pk__in=ids,
                email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.FAILED],
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=claimed).update(
            email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
        )
    return claimed


def send_emails(queryset: QuerySet[Notification]) -> int:
    """Email the unsent notifications of `queryset`; a failure is recorded for a later resend."""
    ids = list(
        queryset.filter(
            email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.FAILED]
        ).values_list("pk", flat=True)
    )
    sent = 0
    for start in range(0, len(ids), EMAIL_BATCH):
        claimed = _claim(ids[start:start + EMAIL_BATCH])
        if not claimed:
            continue
        batch = Notification.objects.filter(pk__in=claimed).select_related("recipient")
        try:
            connection = get_connection()
            connection.open()
        except Exception as exc:
            logger.exception("The mail server is not answering")
            Notification.objects.filter(pk__in=claimed).update(
                email_status=Notification.EmailStatus.FAILED, email_error=str(exc)[:500]
            )
            continue
        try:
            for notification in batch:
                try:
                    connection.send_messages([_message(notification)])
                    sent += 1
                except Exception as exc:
                    logger.exception("Email for notification %s failed", notification.pk)
                    Notification.objects.filter(pk=notification.pk).update(
                        email_status=Notification.EmailStatus.FAILED, email_error=str(exc)[:500]
                    )
        finally:
            connection.close()
    return sent


def resend_notifications(*, older_than: timedelta = timedelta(minutes=2),
                         within: timedelta = timedelta(days=7)) -> int:
    """Email the notifications still unsent (created between `within` and `older_than` ago):
    those made while the broker was down and those the mail server refused."""
    now = timezone.now()
    unsent = Notification.objects.filter(
        email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.FAILED],
        created_at__lte=now - older_than,
        created_at__gte=now - within,
    )
    return send_emails(unsent)


# --- reading ------------------------------------------------------------------------------------
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Only the recipient marks a notification as read; marking it twice changes nothing."""
    if not (actor and actor.is_authenticated and notification.recipient_id == actor.pk):
        raise PermissionDenied(gettext("This is not your notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- reminders ------------------------------------------------------------------------------------
def send_reminders(*, today: date | None = None, email: bool = True) -> dict[str, int]:
    """Remind reviewers of reviews due within 3 days or overdue, and teams of outcome reports
    due; at most one reminder per object per day, however often this runs."""
    from . import selectors

    today = today or timezone.localdate()
    counts = {"reviews": 0, "outcome_reports": 0}
    for assignment in selectors.assignments_due_for_reminder(today=today):
        kind = "reminder.review_overdue" if assignment.due_on < today else "reminder.review_due"
        notify(subject=assignment, notices=[table.REMINDER_NOTICES[kind]], kind=kind,
               key=f"reminder:reviews.assignment:{assignment.pk}:{today.isoformat()}", email=email)
        counts["reviews"] += 1
    kind = "reminder.outcome_report_due"
    for proposal in selectors.outcome_reports_due(today=today):
        notify(subject=proposal, notices=[table.REMINDER_NOTICES[kind]], kind=kind,
               key=f"reminder:proposals.proposal:{proposal.pk}:{today.isoformat()}", email=email)
        counts["outcome_reports"] += 1
    return counts
