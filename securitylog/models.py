"""The security log: who signed in, who failed, who was locked out, who made or lost an API
token or a two-factor device (or its key or recovery codes), whose password changed,
and who gave or took away which role (issue 14).

Rows are only ever added (`securitylog/receivers.py` writes them). A row keeps the usernames of
the people it names as text, so it still says who when a person is later deleted (the foreign
keys are then set to null, never cascaded).
"""

from django.conf import settings
from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USERNAME_MAX = 150
LABEL_MAX = 150
DETAIL_MAX = 300


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        SIGN_OUT = "sign_out", _("Signed out")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API tokens revoked")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor device added")
        TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor device removed")
        TWO_FACTOR_CHANGED = "two_factor_changed", _("Two-factor device changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REMOVED = "role_removed", _("Role removed")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Who did it (empty: the product itself, or nobody signed in)."),
    )
    actor_username = models.CharField(max_length=LABEL_MAX, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Whose account or power it concerns."),
    )
    subject_username = models.CharField(max_length=LABEL_MAX, blank=True)
    username = models.CharField(
        "username typed", max_length=USERNAME_MAX, blank=True,
        help_text=_("The username given at sign-in (also for accounts that do not exist)."),
    )
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    detail = models.CharField(max_length=DETAIL_MAX, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"])]
        verbose_name = "security event"

    def __str__(self) -> str:
        who = self.subject_username or self.username or "unknown account"
        return f"{self.get_kind_display()}: {who}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The security log is append-only: an event cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProtectedError("The security log is append-only: an event cannot be deleted.",
                             {self})
