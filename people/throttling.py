"""Sign-in throttling (django-axes): who is counted, and what a locked-out person sees.

Failures are counted in the database (axes' AccessAttempt) per account and per address
(settings.AXES_LOCKOUT_PARAMETERS): AXES_FAILURE_LIMIT failures lock the account from
every address, and the address for every account, for AXES_COOLOFF_MINUTES after the last
failure. Every way in asks `django.contrib.auth.authenticate` with the request, so axes
counts the sign-in page and `POST /api/v1/auth/token/` alike (the admin's own sign-in page
sends people to the sign-in page: people/views.py, admin_sign_in).

A complete sign-in (the password, and the code where two-factor sign-in is on) clears that
account's count, and only that account's: never the failures of other accounts from the
same address, and never on a password alone where a code is due (AXES_RESET_ON_SUCCESS is
off; `reset_account_failures` does it, at `user_logged_in` and at the token endpoint).

Credentials that could be nobody's (`malformed_credentials`: longer than any username or
password, a NUL or a lone surrogate) are refused before any query, as a wrong password, and
counted against the address alone (`count_malformed`): such a username is never stored.

Requests for a password-setting link (`/password/reset/`) are no sign-in, so axes does not
see them: ThrottledPasswordResetView counts each one against the address only, in the
same table, and refuses the address once it is locked out. (Its form takes an email of at
most 254 characters, without NUL, before any query.)

An administrator unlocks from the admin (Axes > Access attempts) or with
`manage.py axes_reset_username <name>` / `axes_reset_ip <address>` / `axes_reset`.
"""

import math
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import PasswordResetView
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

PER_ACCOUNT_AND_PER_ADDRESS = [["username"], ["ip_address"]]
PER_ADDRESS = [["ip_address"]]
# Set on a request counted against its address alone (a password-link request, malformed
# credentials): axes then neither reads nor stores a username for it.
ADDRESS_ONLY = "axes_address_only"
# The longest credentials a sign-in takes: people.User.username's max_length (axes stores
# at most 255), and a password far longer than anyone types.
USERNAME_MAX = 150
PASSWORD_MAX = 4096


def username_key(request, credentials=None):
    """The username as axes counts it: in lower case, as sign-in ignores its case
    (people/backends.py), so `PEMA` and `pema` share one counter."""
    username = (credentials or {}).get("username")
    if getattr(request, ADDRESS_ONLY, False):
        return None
    if username is None:
        data = getattr(request, "data", None)
        if data is None:
            data = request.POST
        username = data.get("username") if hasattr(data, "get") else None
    if username is None:
        return None
    return str(username).lower()


def lockout_parameters(request_or_attempt, credentials=None):
    """Per account and per address; a password-link request has no account: per address."""
    if getattr(request_or_attempt, ADDRESS_ONLY, False):
        return PER_ADDRESS
    return PER_ACCOUNT_AND_PER_ADDRESS


def retry_at(request):
    """When the lockout ends: the cool-off after the last failure (each failure during a
    lockout starts it again)."""
    started = getattr(request, "axes_attempt_time", None) or timezone.now()
    return started + (get_cool_off(request) or timedelta(0))


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After: JSON `{"detail"}` on the API, the product's page elsewhere."""
    until = retry_at(request)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    local = timezone.localtime(until)
    time_text = date_format(local, "H:i")
    if local.date() != timezone.localdate():
        time_text = f"{date_format(local, 'j F')} {time_text}"
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": gettext("Too many failed sign-in attempts. Try again after %(time)s.")
             % {"time": time_text}},
            status=429,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"retry_at": local, "retry_at_text": time_text},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


def _http_request(request):
    return getattr(request, "_request", request)


def is_locked_out(request, credentials) -> bool:
    return not AxesProxyHandler.is_allowed(request, credentials)


# --- credentials that could be nobody's ---------------------------------------------------------
def _bad_text(value, limit: int) -> bool:
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON "\\ud800")
        return True
    return False


def malformed_credentials(username, password) -> bool:
    """True when `username` and `password` could be nobody's: not text, longer than
    USERNAME_MAX (also in lower case, as counted) or PASSWORD_MAX, or holding a NUL or a
    lone surrogate, which the database would refuse. Checked before any query, on every way
    in (the sign-in page's SignInForm, the token endpoint)."""
    if _bad_text(username, USERNAME_MAX) or _bad_text(password, PASSWORD_MAX):
        return True
    return len(username.lower()) > USERNAME_MAX


def address_only(request) -> dict:
    """From now on this request is counted (and checked) against its address alone; returns
    the credentials to give axes."""
    setattr(request, ADDRESS_ONLY, True)
    return {"username": None}


def count_malformed(request, sender) -> None:
    """A failed sign-in for the address alone (the username is not stored: it may not fit),
    sent as `user_login_failed` so that the security log sees it too."""
    user_login_failed.send(sender=sender, credentials=address_only(request), request=request)


class SignInForm(AuthenticationForm):
    """The sign-in page's password step: malformed credentials are refused before
    authenticate() (and so before axes or any query) as a wrong password, and counted
    against the address. Django's form caps the username only in the widget."""

    def clean(self):
        values = [self.cleaned_data.get(name, self.data.get(name))
                  for name in ("username", "password")]
        if all(values) and malformed_credentials(*values):
            for name in ("username", "password"):  # one answer: wrong username or password
                self.errors.pop(name, None)
                self.cleaned_data.pop(name, None)
            count_malformed(self.request, sender=SignInForm)
            raise self.get_invalid_login_error()
        return super().clean()


# --- success: the account's own count, only on a complete sign-in ------------------------------
def reset_account_failures(user) -> int:
    """Deletes the failures counted for `user`'s account (from every address), and nobody
    else's: the failures of other accounts from the same address stay."""
    key = username_key(None, {"username": user.get_username()})
    count, _ = AccessAttempt.objects.filter(username=key).delete()
    return count


def sign_in_complete(user) -> bool:
    """The password and, where two-factor sign-in is on, a code (login_code sets
    `user.otp_device` before signing in). A password alone where a code is due is no success
    for the throttling, whichever page signed the session in."""
    from .two_factor import has_device

    return getattr(user, "otp_device", None) is not None or not has_device(user)


def _signed_in(sender, request, user, **kwargs):
    if sign_in_complete(user):
        reset_account_failures(user)


user_logged_in.connect(_signed_in, dispatch_uid="people.throttling.signed_in")


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password-link request, counted per address with the sign-in failures: an
    address locked out of signing in gets no links either, and each request counts."""

    def post(self, request, *args, **kwargs):
        setattr(request, ADDRESS_ONLY, True)
        credentials = {"username": None}
        if is_locked_out(request, credentials):
            return lockout_response(request, None, credentials)
        response = super().post(request, *args, **kwargs)
        AxesProxyHandler.user_login_failed(
            sender=ThrottledPasswordResetView, credentials=credentials, request=request
        )
        # This request was served: the lockout it may have reached applies to the next one.
        request.axes_locked_out = False
        return response
