from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a notification's unread count depends on (notifications/unread.py).
COUNTED_FIELDS = {"recipient", "recipient_id", "read_at", "content_type", "content_type_id",
                  "object_id"}


class NotificationQuerySet(models.QuerySet):
    """Writes in bulk renew the cached unread count of the people they touch
    (notifications/unread.py); `save()` and `delete()` do it through model signals."""

    def update(self, **kwargs):
        from . import unread

        if not (unread.enabled() and COUNTED_FIELDS & set(kwargs)):
            return super().update(**kwargs)
        people = set(self.order_by().values_list("recipient_id", flat=True).distinct())
        changed = super().update(**kwargs)
        if "recipient" in kwargs or "recipient_id" in kwargs:
            recipient = kwargs.get("recipient_id", kwargs.get("recipient"))
            people.add(getattr(recipient, "pk", recipient))
        if changed:
            unread.people_changed(people)
        return changed

    def bulk_create(self, objs, *args, **kwargs):
        from . import unread

        objs = list(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        unread.people_changed(obj.recipient_id for obj in objs)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        from . import unread

        objs = list(objs)
        changed = super().bulk_update(objs, fields, *args, **kwargs)
        if COUNTED_FIELDS & set(fields):
            unread.people_changed(obj.recipient_id for obj in objs)
        return changed


class Notification(models.Model):
    """Something a person must act on or hear about: shown in the app and sent by email.

    `dedupe_key` is unique: a task that runs twice (a retry, a redelivered message)
    finds the row already there and neither creates nor emails it again.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")
        SKIPPED = "skipped", _("No email address")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=100, help_text=_("What happened, e.g. proposals.proposal.submit or reminder.review_due.")
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A notification that asked its recipient to act, once that is done or no longer possible
    # (notifications/inbox.py `TASKS`): it is read too, and the page says "Done".
    done_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_status", "created_at"], name="notification_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient}"

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def email_sent(self) -> bool:
        return self.email_status == self.EmailStatus.SENT
