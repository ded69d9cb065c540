"""Sign-in throttling (django-axes): who is counted, and what a locked-out person sees.

Failures are counted in the database (axes' AccessAttempt) per account and per address
(settings.AXES_LOCKOUT_PARAMETERS): AXES_FAILURE_LIMIT failures lock the account from
every address, and the address for every account, for AXES_COOLOFF_MINUTES after the last
failure. Every way in asks `django.contrib.auth.authenticate` with the request, so axes
counts the sign-in page, the admin's sign-in and `POST /api/v1/auth/token/` alike.

Requests for a password-setting link (`/password/reset/`) are no sign-in, so axes does not
see them: ThrottledPasswordResetView counts each one against the address only, in the
same table, and refuses the address once it is locked out.

An administrator unlocks from the admin (Axes > Access attempts) or with
`manage.py axes_reset_username <name>` / `axes_reset_ip <address>` / `axes_reset`.
"""

import math
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth.views import PasswordResetView
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

PER_ACCOUNT_AND_PER_ADDRESS = [["username"], ["ip_address"]]
PER_ADDRESS = [["ip_address"]]


def username_key(request, credentials=None):
    """The username as axes counts it: in lower case, as sign-in ignores its case
    (people/backends.py), so `PEMA` and `pema` share one counter."""
    username = (credentials or {}).get("username")
    if username is None and not getattr(request, "axes_password_reset", False):
        data = getattr(request, "data", None)
        if data is None:
            data = request.POST
        username = data.get("username") if hasattr(data, "get") else None
    if username is None:
        return None
    return str(username).lower()


def lockout_parameters(request_or_attempt, credentials=None):
    """Per account and per address; a password-link request has no account: per address."""
    if getattr(request_or_attempt, "axes_password_reset", False):
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
            {"detail": f"Too many failed sign-in attempts. Try again after {time_text}."},
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


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password-link request, counted per address with the sign-in failures: an
    address locked out of signing in gets no links either, and each request counts."""

    def post(self, request, *args, **kwargs):
        request.axes_password_reset = True
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
