"""API tokens that expire and are revoked (API.md, Conventions → Authentication).

DRF's `authtoken.Token` (one per person) is kept; `ExpiringTokenAuthentication` refuses a token
older than `API_TOKEN_MAX_AGE` or unused for `API_TOKEN_IDLE` (its last use is `TokenUse`,
written at most once a minute). A person's token is deleted when their password changes (any
way: the page, the emailed reset link, the admin) or they are deactivated: the `post_save` of
the user compares the password hash and `is_active` with those it was loaded with.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .models import TokenUse

EXPIRED = "Your token has expired; ask for a new one."
USE_RECORDED_EVERY = timedelta(minutes=1)


def last_used_at(token: Token):
    """When the token was last used (its creation, if it has not been used since)."""
    use = getattr(token, "use", None)
    return use.last_used_at if use is not None else token.created


def is_expired(token: Token, now=None) -> bool:
    now = now or timezone.now()
    return (now - token.created > settings.API_TOKEN_MAX_AGE
            or now - last_used_at(token) > settings.API_TOKEN_IDLE)


def token_for(user) -> Token:
    """The person's token, a new one if they have none or theirs has expired."""
    token = Token.objects.select_related("use").filter(user=user).first()
    if token is not None and is_expired(token):
        token.delete()
        token = None
    if token is None:
        token, _ = Token.objects.get_or_create(user=user)
    return token


def revoke_tokens(user) -> int:
    """Delete every API token of `user`; answers how many there were."""
    return Token.objects.filter(user=user).delete()[1].get(Token._meta.label, 0)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused (401) once the token is too old or idle too long."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user", "use").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        now = timezone.now()
        if is_expired(token, now):
            raise exceptions.AuthenticationFailed(EXPIRED)
        if now - last_used_at(token) >= USE_RECORDED_EVERY:
            TokenUse.objects.bulk_create(
                [TokenUse(token=token, last_used_at=now)],
                update_conflicts=True, unique_fields=["token"], update_fields=["last_used_at"],
            )
        return (token.user, token)


# --- revoked on a password change or reset and on deactivation ------------------------------
User = get_user_model()


@receiver(post_init, sender=User, dispatch_uid="people.tokens.remember")
def _remember_credentials(sender, instance, **kwargs):
    # Read from __dict__: a deferred field (`.only(...)`) must not cost a query here.
    instance._token_guard = (instance.__dict__.get("password"), instance.__dict__.get("is_active"))


@receiver(post_save, sender=User, dispatch_uid="people.tokens.revoke")
def _revoke_on_password_change_or_deactivation(sender, instance, created, **kwargs):
    password, was_active = getattr(instance, "_token_guard", (None, None))
    now_password = instance.__dict__.get("password")
    now_active = instance.__dict__.get("is_active")
    if not created and (
        (password is not None and now_password is not None and now_password != password)
        or (now_active is False and was_active is not False)
    ):
        revoke_tokens(instance)
    instance._token_guard = (now_password, now_active)
