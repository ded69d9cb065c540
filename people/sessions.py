"""Sessions: shorter for people who hold power, and "Sign out everywhere" (README "API tokens
and sessions").

Fund managers, HR officers, staff and superusers are signed out `PRIVILEGED_SESSION_AGE` after
signing in and after `PRIVILEGED_SESSION_IDLE` without a request. The times are kept in the
session and checked on the server by `PrivilegedSessionMiddleware`, which writes the last
activity at most once a minute and only for those people: everyone else's session is not
written on every request and lasts `SESSION_COOKIE_AGE`.

"Sign out everywhere" raises the person's `sessions_version`, which is part of their session
hash (`User.get_session_auth_hash`): Django then ends every session signed in before, on any
device, the way it does after a password change; their API tokens are revoked too.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from .models import User
from .tokens import revoke_tokens

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"
SEEN_RECORDED_EVERY = 60  # seconds: the idle limit is checked to the minute
ENDED_IDLE = ("Your session ended after {minutes} minutes without activity, as it does for "
              "fund managers, HR officers and administrators. Sign in again to continue.")
ENDED_MAX_AGE = ("Your session ended {hours} after you signed in, as it does for fund managers, "
                 "HR officers and administrators. Sign in again to continue.")
ENDED_ELSEWHERE = ("Your session ended: you signed out everywhere, or your password or account "
                   "was changed. Sign in again to continue.")
SIGNED_OUT_EVERYWHERE = ("You are signed out on every device, and every API token you held is "
                         "revoked ({tokens}). Sign in again to continue.")


def is_privileged(user) -> bool:
    """Whose sessions are short: fund managers, HR officers, staff and superusers."""
    return bool(user.is_authenticated and user.is_active and (
        user.is_superuser or user.is_staff or user.is_fund_manager or user.is_hr_officer))


def _now() -> int:
    return int(time.time())


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _start(session, now: int) -> None:
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now


@receiver(user_logged_in, dispatch_uid="people.sessions.signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and is_privileged(user):
        _start(request.session, _now())
        request.session.set_expiry(settings.PRIVILEGED_SESSION_AGE)


def session_end_reason(session, now: int | None = None) -> str | None:
    """Why a privileged session is over (a message), or None while it may go on."""
    now = _now() if now is None else now
    signed_in_at, last_seen_at = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return None
    if now - signed_in_at > settings.PRIVILEGED_SESSION_AGE:
        return ENDED_MAX_AGE.format(hours=_hours(settings.PRIVILEGED_SESSION_AGE))
    if now - last_seen_at > settings.PRIVILEGED_SESSION_IDLE:
        return ENDED_IDLE.format(minutes=settings.PRIVILEGED_SESSION_IDLE // 60)
    return None


class PrivilegedSessionMiddleware:
    """Ends a privileged session past its age or idle limit, and sends whoever's session
    ended to sign in with a message saying so. After the auth and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        had_user = SESSION_KEY in session
        user = request.user  # Django ends a session whose hash no longer verifies, here
        if had_user and not user.is_authenticated:
            return self._ended(request, ENDED_ELSEWHERE)
        if user.is_authenticated and is_privileged(user):
            now = _now()
            if SIGNED_IN_AT not in session:  # a role given after signing in: counted from now
                _start(session, now)
                session.set_expiry(settings.PRIVILEGED_SESSION_AGE)
            reason = session_end_reason(session, now)
            if reason:
                # For the security log: the product ended it, nobody signed out.
                request.session_ended_by = (
                    f"idle {settings.PRIVILEGED_SESSION_IDLE // 60} minutes"
                    if reason == ENDED_IDLE.format(minutes=settings.PRIVILEGED_SESSION_IDLE // 60)
                    else _hours(settings.PRIVILEGED_SESSION_AGE))
                logout(request)
                return self._ended(request, reason)
            if now - session[LAST_SEEN_AT] >= SEEN_RECORDED_EVERY:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _ended(self, request, message):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)  # answered as anyone not signed in (401)
        messages.info(request, message)
        login = reverse("login")
        if request.method == "GET" and request.path_info != login:
            return redirect(f"{login}?next={quote(request.get_full_path())}")
        return redirect(login)


def sign_out_everywhere(*, actor: User, request=None) -> int:
    """End every session of `actor` on every device (this one too) and revoke all their API
    tokens; answers how many tokens were revoked."""
    User.objects.filter(pk=actor.pk).update(sessions_version=F("sessions_version") + 1)
    actor.refresh_from_db(fields=["sessions_version"])
    # Announced even with no token, for the security log to record the sign-out.
    count = revoke_tokens(actor, reason="everywhere", request=request, always_announce=True)
    if request is not None:
        logout(request)
    return count
