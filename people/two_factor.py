"""Two-factor sign-in: who must give a code, how a code is checked, and enrolment (issue 14).

A person has two-factor sign-in when they have a confirmed authenticator app (django-otp's
TOTPDevice); with it come ten recovery codes (a StaticDevice), each good once. It is optional
for everyone and required for the roles named in settings.TWO_FACTOR_ROLES.

The rule lives here, for the sign-in page (people/two_factor_views.py), the token endpoint
(people/token_api.py) and every other page (TwoFactorMiddleware):

- a person with an authenticator gives a code (or a recovery code) after their password,
  before any session or token is made; a wrong code is a failed sign-in for django-axes
  (counted for the account and the address, people/throttling.py);
- a person whose role requires it but who has not set it up is signed in on the page, but
  every page but enrolment, sign-out and help sends them to set it up; the token endpoint
  refuses them;
- a session of a person with an authenticator that no code verified (signed in another
  way, e.g. a session made by a script or a test client) is signed out and sent to sign in
  with a code. The admin's own sign-in page sends to the sign-in page (people/views.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model, logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .signals import recovery_codes_replaced

RECOVERY_CODE_COUNT = 10
CODE_MAX = 40  # the longest code taken (django-otp's StaticToken.token is 16)
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# Session keys: whether the signed-in person has an authenticator (set at sign-in), the
# secret being set up, and recovery codes to show once.
SESSION_HAS_DEVICE = "two_factor_has_device"
SESSION_SETUP_KEY = "two_factor_setup_key"
SESSION_NEW_CODES = "two_factor_new_codes"
# The password step of a sign-in is good for this long (seconds) to give the code.
PENDING_MAX_AGE = 10 * 60
_PENDING_SALT = "people.two_factor.pending"

ROLE_WORDS = {"fund_managers": "fund manager", "hr_officers": "HR officer",
              "superusers": "administrator"}
_ROLE_TESTS = {
    "fund_managers": lambda user: user.is_fund_manager,
    "hr_officers": lambda user: user.is_hr_officer,
    "superusers": lambda user: user.is_active and user.is_superuser,
}

# What a refused code is told: (page, API).
MISSING = "missing"
WRONG = "wrong"
NOT_SET_UP = "not_set_up"
MESSAGES = {
    MISSING: ("Enter the 6-digit code from your authenticator app, or one of your recovery "
              "codes.",
              "This account needs a two-factor code: send it as otp."),
    WRONG: ("That code is wrong or has expired. Enter the code your authenticator app shows "
            "now, or a recovery code you have not used.",
            "The two-factor code (otp) is wrong or has expired: send the code the "
            "authenticator app shows now, or a recovery code not used before."),
    NOT_SET_UP: ("Your role requires two-factor sign-in: set it up to go on.",
                 "This account's role requires two-factor sign-in, which is not set up yet: "
                 "set it up on the site first (sign in at /login/, then Two-factor sign-in), "
                 "then ask for a token with otp."),
}


# --- who -------------------------------------------------------------------------------------
def required_roles(user) -> list[str]:
    """The roles in settings.TWO_FACTOR_ROLES that this person holds."""
    if user is None or not user.is_authenticated:
        return []
    return [name for name in settings.TWO_FACTOR_ROLES if _ROLE_TESTS[name](user)]


def is_required(user) -> bool:
    return bool(required_roles(user))


def why_required(user) -> str:
    words = [ROLE_WORDS[name] for name in required_roles(user)]
    return f"Two-factor sign-in is required of every {' and '.join(words)}."


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_device(user) -> bool:
    """Two-factor sign-in is on: a confirmed authenticator app. Recovery codes count only
    beside one, so an administrator who deletes a lost authenticator turns it off."""
    if user is None or not user.is_authenticated:
        return False
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


# --- checking a code --------------------------------------------------------------------------
def normalise(code) -> str:
    """A code as typed: spaces and hyphens ignored, recovery codes in any case."""
    return "".join(str(code or "").split()).replace("-", "").lower()


def verify_code(user, code, *, recovery: bool = True):
    """The device that accepts this code (each code once), or None. Six digits are an
    authenticator's code; anything else is tried as a recovery code (unless `recovery` is
    False: then only the authenticator's code is taken)."""
    code = normalise(code)
    # Checked before any query: codes are letters and digits, at most CODE_MAX of them (a NUL,
    # a lone surrogate or a megabyte would reach the database, which may refuse them).
    if not code or len(code) > CODE_MAX or not (code.isascii() and code.isalnum()):
        return None
    if not has_device(user):
        return None
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    if model is StaticDevice and not recovery:
        return None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


@dataclass
class Check:
    """The outcome of the second step: `device` that verified the code (None when none was
    needed), or `problem` (MISSING, WRONG, NOT_SET_UP)."""

    device: object = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def page_message(self) -> str:
        return MESSAGES[self.problem][0] if self.problem else ""

    @property
    def api_message(self) -> str:
        return MESSAGES[self.problem][1] if self.problem else ""


def second_step(*, request, user, code, sender) -> Check:
    """After a right password: is a code needed, and is this one right? A wrong code is a
    failed sign-in for this account and address (django-axes counts `user_login_failed`,
    and sets `request.axes_locked_out` when it reaches the limit)."""
    if not has_device(user):
        return Check(problem=NOT_SET_UP) if is_required(user) else Check()
    if not normalise(code):
        return Check(problem=MISSING)
    device = verify_code(user, code)
    if device is None:
        # "two_factor": the security log says "wrong two-factor code" (axes counts it alike).
        user_login_failed.send(sender=sender, request=request,
                               credentials={"username": user.get_username(), "two_factor": True})
        return Check(problem=WRONG)
    return Check(device=device)


def check_code(*, request, user, code, sender, recovery: bool = True) -> Check:
    """A signed-in person confirms a change with a code (turning two-factor sign-in off, new
    recovery codes): a wrong code is a failed sign-in for django-axes, counted for the
    account and the address exactly as in `second_step`. The page checks the lockout first
    (`people.throttling.is_locked_out`)."""
    if not normalise(code):
        return Check(problem=MISSING)
    if verify_code(user, code, recovery=recovery) is None:
        user_login_failed.send(sender=sender, request=request,
                               credentials={"username": user.get_username(), "two_factor": True})
        return Check(problem=WRONG)
    return Check()


# --- the step between password and code (sign-in page) ----------------------------------------
def pending_token(user) -> str:
    """Signed proof that this person gave the right password, carried by the code form; it
    lapses after PENDING_MAX_AGE and when the password changes. No session exists yet."""
    return signing.dumps({"u": user.pk, "b": user.backend, "h": user.get_session_auth_hash()},
                         salt=_PENDING_SALT, compress=True)


def pending_user(token):
    """The person whose password step `token` proves (with `backend` set), or None."""
    try:
        data = signing.loads(token or "", salt=_PENDING_SALT, max_age=PENDING_MAX_AGE)
        user = get_user_model()._default_manager.get(pk=data["u"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError,
            get_user_model().DoesNotExist):
        return None
    if data.get("b") not in settings.AUTHENTICATION_BACKENDS or not constant_time_compare(
            data.get("h", ""), user.get_session_auth_hash()):
        return None
    user.backend = data["b"]
    return user


# --- enrolment (services: the acting person is the one enrolling) ------------------------------
def setup_secret(request) -> str:
    """The secret (hex) being set up in this session: made once, kept until confirmed."""
    key = request.session.get(SESSION_SETUP_KEY)
    if not key:
        key = default_key()
        request.session[SESSION_SETUP_KEY] = key
    return key


def new_recovery_codes(*, actor, request=None) -> list[str]:
    """Ten new recovery codes for `actor`, replacing any left (they are shown once; the page
    asks for an authenticator code first). Replacing them is announced for the security log
    (`recovery_codes_replaced`); the first set comes with the authenticator, whose enrolment
    is logged as a device added."""
    with transaction.atomic():
        device = recovery_device(actor)
        replaced = device is not None
        if device is None:
            device = StaticDevice(user=actor, name=RECOVERY_NAME, confirmed=True)
        else:
            device.token_set.all().delete()
        device.save()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        if replaced:
            recovery_codes_replaced.send(sender=StaticDevice, user=actor, request=request)
    return codes


def end_other_sessions(user) -> None:
    """Ends every session of `user` signed in before, on any device, as "Sign out everywhere"
    does (people/sessions.py: `sessions_version` is part of the session hash). The session
    that made the change goes on with `keep_session`."""
    get_user_model().objects.filter(pk=user.pk).update(
        sessions_version=F("sessions_version") + 1)
    user.refresh_from_db(fields=["sessions_version"])


def keep_session(request, user) -> None:
    """This session goes on after `end_other_sessions`: it takes the new session hash under
    the same key. (`update_session_auth_hash` would make a new key: the second request of a
    double click, sent with the cookie the browser still holds, would then find no session
    and sign the person out, its "forget this cookie" answer arriving last.)"""
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()


def two_factor_enable(*, actor, key: str, code) -> tuple[TOTPDevice | None, list[str]]:
    """Turns two-factor sign-in on with the authenticator holding `key`, once it shows the
    right `code`: returns the device and ten recovery codes, or (None, []) if the code is
    wrong or the person already has an authenticator (they keep it). Every other session of
    the person ends (`end_other_sessions`): one signed in without a code goes no further.

    The device is made under a lock on the person's row: of two requests at once (a double
    click, with or without the form's token) the second waits, finds the first one's
    authenticator and is refused, so there is one device."""
    code = normalise(code)
    if has_device(actor) or not (code.isdigit() and len(code) == 6):
        return None, []
    totp = TOTP(bytes.fromhex(key), step=30, digits=6)
    if not totp.verify(int(code), tolerance=1):
        return None, []
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        if has_device(actor):
            return None, []
        device = TOTPDevice.objects.create(user=actor, name=AUTHENTICATOR_NAME, key=key,
                                           confirmed=True, last_t=totp.t(), drift=totp.drift)
        codes = new_recovery_codes(actor=actor)
        end_other_sessions(actor)
    return device, codes


def two_factor_disable(*, actor, code, request=None) -> str | None:
    """Turns two-factor sign-in off for `actor` once they give a right code; refused (the
    reason returned) when their role requires it or the code is wrong (a failed sign-in,
    `check_code`). Every other session of the person ends."""
    if is_required(actor):
        return (f"{why_required(actor)} It cannot be turned off; to change phones, ask an "
                "administrator to remove your authenticator, then set it up again.")
    if not has_device(actor):
        return "Two-factor sign-in is not on for your account."
    check = check_code(request=request, user=actor, code=code, sender=__name__)
    if not check.ok:
        return check.page_message
    with transaction.atomic():
        remove_devices(actor)
        end_other_sessions(actor)
    return None


def remove_devices(user) -> list[str]:
    """Deletes every authenticator and recovery-code set of `user` (one at a time, so that
    each deletion is seen); returns what was removed, in words."""
    removed = []
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.filter(user=user).order_by("pk"):
                kind = "authenticator" if model is TOTPDevice else "recovery codes"
                removed.append(f"{kind} “{device.name}”")
                device.delete()
    return removed


def mark_verified(request, device) -> None:
    """This session has given a code (or just set two-factor sign-in up)."""
    request.session[SESSION_HAS_DEVICE] = True
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.user.otp_device = device


def mark_off(request) -> None:
    request.session[SESSION_HAS_DEVICE] = False
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def _remember_device(sender, request, user, **kwargs):
    """At every sign-in: does this person have an authenticator? The middleware reads the
    answer from the session instead of asking the database on each page."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_HAS_DEVICE] = has_device(user)


user_logged_in.connect(_remember_device, dispatch_uid="people.two_factor.remember_device")


# --- every page ---------------------------------------------------------------------------------
def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class TwoFactorMiddleware:
    """Sends a session that has not given its code to sign in, and a person whose role
    requires two-factor sign-in but who has not set it up to enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def _open_paths(self):
        if self._open is None:
            self._open = (
                {reverse(name) for name in ("login", "login_code", "logout", "help_conflicts")},
                reverse("two_factor"),
            )
        return self._open

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        always_open, enrolment = self._open_paths()
        path = request.path_info
        if path in always_open or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        # A copy of the session read before a concurrent request verified it (the other half
        # of a double-clicked set-up form) is not signed out, and is not saved over it.
        session = request.session
        copy_unverified = not session.get(DEVICE_ID_SESSION_KEY)
        response = self._answer(request, user, path, enrolment)
        if copy_unverified and session.modified and _verified_elsewhere(request, user):
            session.modified = False
        return response

    def _answer(self, request, user, path, enrolment):
        session = request.session
        if SESSION_HAS_DEVICE not in session:
            session[SESSION_HAS_DEVICE] = has_device(user)
        if not session[SESSION_HAS_DEVICE] and is_required(user):
            # Set up since (in another session)? Then this session must give a code.
            session[SESSION_HAS_DEVICE] = has_device(user)
            if not session[SESSION_HAS_DEVICE]:
                if path.startswith(enrolment):
                    return self.get_response(request)
                return self._set_up_first(request, user)
        if session[SESSION_HAS_DEVICE] and not _verified(user) \
                and not _verified_elsewhere(request, user):
            return self._code_first(request)
        return self.get_response(request)

    @staticmethod
    def _set_up_first(request, user):
        text = f"{why_required(user)} Set it up to go on: it takes a minute, with an " \
               "authenticator app on your phone."
        if _is_api(request):
            return JsonResponse({"detail": MESSAGES[NOT_SET_UP][1]}, status=403)
        messages.warning(request, text)
        return HttpResponseRedirect(reverse("two_factor_setup"))

    @staticmethod
    def _code_first(request):
        request.session_ended_by = "two-factor code not given"  # for the security log
        logout(request)
        if _is_api(request):
            return JsonResponse({"detail": "This session has not given its two-factor code: "
                                 "sign in again."}, status=401)
        messages.info(request, gettext("Sign in with your password and the code from your "
                      "authenticator app to go on."))
        target = reverse("login")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


def _verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _verified_elsewhere(request, user) -> bool:
    """This request holds a copy of its session that says "no device given", but the stored
    session (the same key) names an authenticator of this person that verified it meanwhile
    (`mark_verified` in a concurrent request, e.g. the other half of a double click)."""
    session = request.session
    if session.get(DEVICE_ID_SESSION_KEY) or not session.session_key:
        return False
    stored = type(session)(session.session_key).load()
    device = Device.from_persistent_id(stored.get(DEVICE_ID_SESSION_KEY) or "")
    return bool(device is not None and stored.get(SESSION_KEY) == str(user.pk)
                and device.user_id == user.pk and device.confirmed)


# --- gaining a role that requires it: tokens made without a code end (API.md) -----------------
# A token asked for before the person became a fund manager, HR officer or administrator was
# given without a code; where that role requires two-factor sign-in it is revoked, in every
# channel that grants the role (the admin, imports, scripts: group membership from either side,
# the superuser flag). The person asks for a new token, with `otp`.
_GROUP_ROLES = {"fund_managers": "fund_managers", "hr_officers": "hr_officers"}


def _revoke_for_role(users, role: str) -> None:
    if role not in settings.TWO_FACTOR_ROLES:
        return
    from .tokens import revoke_tokens

    for user in users:
        revoke_tokens(user, reason="role")


def _on_groups_added(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:  # pk_set holds only the memberships just made
        return
    from django.contrib.auth.models import Group

    if reverse:  # group.user_set.add(...)
        roles, users = [_GROUP_ROLES.get(instance.name)], None
    else:        # user.groups.add(...)
        names = Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)
        roles, users = [_GROUP_ROLES.get(name) for name in names], [instance]
    for role in filter(None, roles):
        if users is None:
            users = list(get_user_model().objects.filter(pk__in=pk_set))
        _revoke_for_role(users, role)


def _note_superuser_grant(sender, instance, **kwargs):
    instance._becomes_superuser = bool(
        instance.pk and instance.is_superuser and "superusers" in settings.TWO_FACTOR_ROLES
        and sender.objects.filter(pk=instance.pk, is_superuser=False).exists())


def _on_superuser_granted(sender, instance, created, **kwargs):
    if getattr(instance, "_becomes_superuser", False):
        instance._becomes_superuser = False
        _revoke_for_role([instance], "superusers")


_User = get_user_model()
m2m_changed.connect(_on_groups_added, sender=_User.groups.through,
                    dispatch_uid="people.two_factor.role_revokes_tokens")
pre_save.connect(_note_superuser_grant, sender=_User,
                 dispatch_uid="people.two_factor.note_superuser_grant")
post_save.connect(_on_superuser_granted, sender=_User,
                  dispatch_uid="people.two_factor.superuser_revokes_tokens")
