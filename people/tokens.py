"""API tokens: several per person, expiring, listed and revoked by their owner (API.md,
Conventions → Authentication; README "API tokens and sessions").

A token is an `ApiToken` row holding the SHA-256 digest of its key (the key is shown once, when
it is made). `ExpiringTokenAuthentication` refuses a token older than `API_TOKEN_MAX_AGE` or
unused for `API_TOKEN_IDLE` (its last use is written at most once a minute) and deletes it.
Every token of a person is deleted when their password changes (any way: the emailed reset
link, the admin, a script) or they are deactivated: the `post_save` of the user compares the
password hash and `is_active` with those it was loaded with; and on "Sign out everywhere"
(`people.sessions`).

Each creation sends `people.signals.api_token_created` and each revocation
`api_tokens_revoked` (reason "owner", "password", "deactivated", "everywhere", "admin" or
"expired"), for the security log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .models import ApiToken
from .signals import _current_request, api_token_created, api_tokens_revoked

EXPIRED = "Your token has expired; ask for a new one."
USE_RECORDED_EVERY = timedelta(minutes=1)
REASONS = ("owner", "password", "deactivated", "everywhere", "admin", "expired", "role")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _request(request):
    return request if request is not None else _current_request.get()


# --- when a token expires ----------------------------------------------------------------------
def last_used_at(token: ApiToken):
    """When the token was last used (its creation, if it has not been used since)."""
    return token.last_used_at or token.created


def expires_at(token: ApiToken):
    """When the token will be refused if it is not used before: the earlier of its maximum age
    and its idle limit counted from its last use."""
    return min(token.created + settings.API_TOKEN_MAX_AGE,
               last_used_at(token) + settings.API_TOKEN_IDLE)


def is_expired(token: ApiToken, now=None) -> bool:
    return (now or timezone.now()) > expires_at(token)


def _expired_q(now) -> Q:
    idle_since = now - settings.API_TOKEN_IDLE
    return (Q(created__lt=now - settings.API_TOKEN_MAX_AGE)
            | Q(last_used_at__lt=idle_since)
            | Q(last_used_at__isnull=True, created__lt=idle_since))


# --- making, listing and revoking --------------------------------------------------------------
def _store(user, key: str, *, created=None, request=None) -> ApiToken:
    token = ApiToken.objects.create(user=user, digest=digest(key), starts_with=key[:6],
                                    created=created or timezone.now())
    token.key = key  # known now only; never stored
    api_token_created.send(sender=ApiToken, user=user, token=token, request=_request(request))
    return token


def token_create(*, user, request=None) -> ApiToken:
    """A new token for `user` (their others stay); `.key` holds its key, readable only now.
    The person's expired tokens are deleted on the way."""
    sweep_expired_tokens(user=user, request=request)
    return _store(user, secrets.token_hex(20), request=request)


def token_for(user, request=None) -> ApiToken:
    """What `POST auth/token/` answers: a new token (`.key`) for a script or device."""
    return token_create(user=user, request=request)


def tokens_of(*, user, request=None):
    """The person's tokens that still work, newest first (expired ones are deleted)."""
    sweep_expired_tokens(user=user, request=request)
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")


def _revoke(queryset, *, user, reason: str, request=None, always_announce=False) -> int:
    assert reason in REASONS, reason
    count = queryset.delete()[1].get(ApiToken._meta.label, 0)
    if count or always_announce:
        api_tokens_revoked.send(sender=ApiToken, user=user, count=count, reason=reason,
                                request=_request(request))
    return count


def token_revoke(*, actor, token_id, request=None) -> bool:
    """The owner revokes one of their tokens; someone else's id revokes nothing (False)."""
    return bool(_revoke(ApiToken.objects.filter(pk=token_id, user=actor), user=actor,
                        reason="owner", request=request))


def revoke_tokens(user, *, reason: str, request=None, always_announce=False, only=None) -> int:
    """Delete every API token of `user` (or those of `only` that are theirs); answers how many
    there were."""
    tokens = ApiToken.objects.filter(user=user)
    if only is not None:
        tokens = tokens.filter(pk__in=only.values("pk"))
    return _revoke(tokens, user=user, reason=reason, request=request,
                   always_announce=always_announce)


def sweep_expired_tokens(*, user=None, request=None, now=None) -> int:
    """Delete expired tokens (of `user`, or everyone's); each owner's are announced once."""
    now = now or timezone.now()
    expired = ApiToken.objects.filter(_expired_q(now))
    if user is not None:
        return _revoke(expired.filter(user=user), user=user, reason="expired", request=request)
    total = 0
    owners = get_user_model().objects.filter(
        pk__in=expired.values("user_id").distinct())
    for owner in owners:
        total += _revoke(expired.filter(user=owner), user=owner, reason="expired",
                         request=request)
    return total


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused (401) once the token is too old or idle too long;
    `request.auth` is the `ApiToken`."""

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(digest=digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        now = timezone.now()
        if is_expired(token, now):
            _revoke(ApiToken.objects.filter(pk=token.pk), user=token.user, reason="expired")
            raise exceptions.AuthenticationFailed(EXPIRED)
        if now - last_used_at(token) >= USE_RECORDED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
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
    if not created:
        if now_active is False and was_active is not False:
            revoke_tokens(instance, reason="deactivated")
        elif password is not None and now_password is not None and now_password != password:
            revoke_tokens(instance, reason="password")
    instance._token_guard = (now_password, now_active)


# --- a DRF Token made the old way becomes an ApiToken -----------------------------------------
# Code and scripts written for DRF's one-token-per-person model (`Token.objects.create(user=...)`,
# `get_or_create`) keep working: the key they hold is stored as an ApiToken's digest and the
# plain row is deleted in the same transaction, so no key is kept readable.
@receiver(post_save, sender=Token, dispatch_uid="people.tokens.from_drf_token")
def _drf_token_to_api_token(sender, instance, created, **kwargs):
    if not created:
        return
    with transaction.atomic():
        _store(instance.user, instance.key, created=instance.created)
        Token.objects.filter(pk=instance.pk).delete()
