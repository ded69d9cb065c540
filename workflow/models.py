from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionLogQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )

    def update(self, **kwargs):  # the log is append-only
        raise TypeError("The transition log is append-only.")

    def delete(self):
        raise TypeError("The transition log is append-only.")


class TransitionLog(models.Model):
    """One row per state change of any state machine: who moved what, from where to where."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(max_length=50)
    from_state = models.CharField(max_length=50)
    to_state = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    note = models.TextField(blank=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The transition log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The transition log is append-only.")


# --- one request, one effect (workflow/one_effect.py) ------------------------------------------


class FormToken(models.Model):
    """A page form's one-time token, reserved while its POST runs and spent once it took
    effect; a refused form's reservation is removed so the corrected form can be sent again.
    Rendering a form stores nothing: a row exists only for a token that was sent."""

    class State(models.TextChoices):
        RUNNING = "running", _("Being recorded")
        SPENT = "spent", _("Recorded")

    token = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.token[:8]}… {self.state} {self.path}"


class IdempotencyKey(models.Model):
    """An API `POST`'s `Idempotency-Key`, per user: the request it was first sent with (a
    fingerprint of method, path and body) and, once answered, the answer to send again."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Answered")

    # The user's id, not a foreign key: a key kept for a day is no reference that would stop
    # a person from being deleted (workflow/evidence.py).
    user_pk = models.PositiveBigIntegerField()
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user_pk", "key"], name="workflow_idempotency_key_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path}, {self.state})"
