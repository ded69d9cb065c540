"""Two-factor sign-in (people/two_factor.py): enrolment with a real TOTP code, the code step
of the sign-in page and of the token endpoint, recovery codes, the roles that require it,
wrong codes counted by the sign-in throttling, and the way back for a lost phone."""

import os
import re
import subprocess
import sys
from base64 import b32encode
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from rest_framework.test import APIClient

from people import two_factor
from people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TOKEN_URL = "/api/v1/auth/token/"
SETUP_URL = "/account/two-factor/setup/"
CODES_URL = "/account/two-factor/recovery-codes/"
OFF_URL = "/account/two-factor/turn-off/"
ROLE_USERS = {
    "fund_managers": {"fund_manager": True},
    "hr_officers": {"hr_officer": True},
    "superusers": {"is_staff": True, "is_superuser": True},
}


@pytest.fixture(autouse=True)
def _no_roles_required(settings):
    settings.TWO_FACTOR_ROLES = []


@pytest.fixture
def pema(db):
    return UserFactory(username="pema")


def code_for(device, drift=0) -> str:
    """The code the person's app shows (drift: that many 30-second steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def enrol(user):
    """Two-factor sign-in on for `user`, as the setup page does it: (device, recovery codes)."""
    key = default_key()
    device, codes = two_factor.two_factor_enable(
        actor=user, key=key, code=f"{totp(bytes.fromhex(key)):06d}")
    assert device is not None
    return device, codes


def password_step(client, username="pema", next_url=""):
    response = client.post("/login/", {"username": username, "password": PASSWORD,
                                       "next": next_url})
    assert response.status_code == 200, response
    assert "registration/login_code.html" in [t.name for t in response.templates]
    return response


def code_step(client, response, code, next_url=""):
    return client.post("/login/code/", {"pending": response.context["pending"], "otp": code,
                                        "next": next_url})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- enrolment ---------------------------------------------------------------------------------
def test_enrolment_end_to_end_with_a_real_code(client, pema):
    client.force_login(pema)
    status = client.get("/account/two-factor/").content.decode()
    assert "Off" in status and "Set up two-factor sign-in" in status

    page = client.get(SETUP_URL)
    assert page.status_code == 200
    html = page.content.decode()
    key = client.session[two_factor.SESSION_SETUP_KEY]
    secret = b32encode(bytes.fromhex(key)).decode()
    assert '<svg class="qr-code"' in html and "<path d=" in html
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in html
    # A strict Content-Security-Policy is coming: no inline style or script on the page.
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not TOTPDevice.objects.exists()  # nothing stored until the code is right

    right = f"{totp(bytes.fromhex(key)):06d}"
    refused = client.post(SETUP_URL, {"otp": wrong(right)})
    assert refused.status_code == 200
    assert "That code is not the one the app shows now" in refused.content.decode()
    assert not TOTPDevice.objects.exists()

    response = client.post(SETUP_URL, {"otp": right})
    assert response.status_code == 302 and response["Location"] == CODES_URL
    device = TOTPDevice.objects.get(user=pema)
    assert device.confirmed and device.key == key
    assert two_factor.has_device(pema)

    shown = client.get(CODES_URL).content.decode()
    stored = set(StaticToken.objects.filter(device__user=pema).values_list("token", flat=True))
    assert len(stored) == two_factor.RECOVERY_CODE_COUNT == 10
    assert all(f"<code>{c}</code>" in shown for c in stored)
    again = client.get(CODES_URL).content.decode()  # shown once
    assert not any(c in again for c in stored)
    assert "10 of 10 left" in again
    # This session gave the code while setting up: it goes on without signing in again.
    assert client.get("/notifications/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, pema):
    _, old = enrol(pema)
    device = code_step_sign_in(client, pema)
    assert device
    assert client.post(CODES_URL, {"otp": code_for(device, 2)}).status_code == 302
    new = set(StaticToken.objects.filter(device__user=pema).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    shown = client.get(CODES_URL).content.decode()
    assert all(f"<code>{c}</code>" in shown for c in new)


def code_step_sign_in(client, user, drift=1):
    """Signs `user` (who has an authenticator) in through both steps."""
    device = two_factor.authenticator(user)
    response = password_step(client, user.username)
    assert code_step(client, response, code_for(device, drift)).status_code == 302
    assert signed_in(client)
    return device


def test_setting_up_twice_is_sent_back(client, pema):
    enrol(pema)
    code_step_sign_in(client, pema)
    response = client.get(SETUP_URL)
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    assert TOTPDevice.objects.filter(user=pema).count() == 1


# --- signing in on the page ----------------------------------------------------------------------
def test_the_code_is_asked_after_the_password_and_next_is_kept(client, pema):
    device, _ = enrol(pema)
    response = password_step(client, next_url="/notifications/")
    assert not signed_in(client)  # no session until the code is right
    assert 'name="next" value="/notifications/"' in response.content.decode()

    missing = code_step(client, response, "", "/notifications/")
    assert missing.status_code == 200 and not signed_in(client)
    assert "Enter the 6-digit code" in missing.content.decode()
    refused = code_step(client, response, wrong(code_for(device, 1)), "/notifications/")
    assert refused.status_code == 200 and not signed_in(client)
    assert "That code is wrong or has expired" in refused.content.decode()

    done = code_step(client, response, code_for(device, 1), "/notifications/")
    assert done.status_code == 302 and done["Location"] == "/notifications/"
    assert signed_in(client) and int(client.session["_auth_user_id"]) == pema.pk
    assert client.get("/notifications/").status_code == 200
    assert not AccessAttempt.objects.filter(username="pema").exists()  # success clears


def test_a_person_without_two_factor_signs_in_with_the_password(client, pema):
    response = client.post("/login/", {"username": "pema", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def test_a_code_is_used_once(client, pema):
    device, _ = enrol(pema)
    code = code_for(device, 1)
    first = password_step(client)
    assert code_step(client, first, code).status_code == 302
    other = Client()
    again = password_step(other)
    assert code_step(other, again, code).status_code == 200
    assert not signed_in(other)


def test_a_forged_or_stale_pending_step_starts_again(client, pema, settings):
    device, _ = enrol(pema)
    response = client.post("/login/code/", {"pending": "forged", "otp": code_for(device, 1)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client)
    # The password changed since the first step: its proof no longer holds.
    first = password_step(client)
    pema.set_password("another-pass-2027")
    pema.save()
    response = code_step(client, first, code_for(device, 1))
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client)


def test_recovery_code_works_once(client, pema):
    _, codes = enrol(pema)
    first = password_step(client)
    assert code_step(client, first, codes[0].upper()).status_code == 302
    assert signed_in(client)
    assert two_factor.recovery_codes_left(pema) == 9

    other = Client()
    again = password_step(other)
    refused = code_step(other, again, codes[0])
    assert refused.status_code == 200 and not signed_in(other)
    assert two_factor.recovery_codes_left(pema) == 9
    ok = code_step(other, again, codes[1])
    assert ok.status_code == 302 and signed_in(other)


def test_a_session_that_gave_no_code_is_sent_to_sign_in(client, pema):
    """Signed in another way (the admin's sign-in page, here force_login): no code, no page."""
    enrol(pema)
    client.force_login(pema)
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fnotifications%2F"
    assert not signed_in(client)


def test_the_admin_sign_in_does_not_skip_the_code(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    enrol(root)
    # The admin's own sign-in page signs nobody in: it sends to the sign-in page, which asks
    # for the code (people/views.py admin_sign_in).
    response = client.post("/admin/login/?next=/admin/", {"username": "root",
                                                          "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fadmin%2F"
    assert not signed_in(client)


# --- required per role ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_required_roles_are_sent_to_set_it_up(client, settings, role):
    settings.TWO_FACTOR_ROLES = [role]
    person = UserFactory(**ROLE_USERS[role])
    others = [UserFactory(**kw) for name, kw in ROLE_USERS.items() if name != role]
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == SETUP_URL
    page = client.get(response["Location"])
    assert page.status_code == 200
    word = two_factor.ROLE_WORDS[role]
    assert f"Two-factor sign-in is required of every {word}." in page.content.decode()
    assert client.get("/notifications/").status_code == 302
    assert client.get("/help/conflicts/").status_code == 200
    assert client.get("/account/two-factor/").status_code == 200
    # The API (with the session) refuses them too, saying why.
    api = client.get("/api/v1/notifications/")
    assert api.status_code == 403 and "set it up on the site first" in api.json()["detail"]
    assert client.post("/logout/").status_code == 302
    for other in others:  # a role not named signs in as before
        other_client = Client()
        other_client.force_login(other)
        assert other_client.get("/").status_code == 200


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_nothing_is_required_when_the_setting_is_empty(client, settings, role):
    settings.TWO_FACTOR_ROLES = []
    client.force_login(UserFactory(**ROLE_USERS[role]))
    assert client.get("/").status_code == 200


def test_after_setting_it_up_the_required_person_goes_on(client, settings):
    settings.TWO_FACTOR_ROLES = ["fund_managers"]
    manager = UserFactory(fund_manager=True)
    client.force_login(manager)
    assert client.get("/").status_code == 302
    client.get(SETUP_URL)
    key = client.session[two_factor.SESSION_SETUP_KEY]
    assert client.post(SETUP_URL, {"otp": f"{totp(bytes.fromhex(key)):06d}"}).status_code == 302
    assert client.get("/").status_code == 200


def test_turning_off_is_refused_where_the_role_requires_it(client, settings):
    settings.TWO_FACTOR_ROLES = ["hr_officers"]
    officer = UserFactory(hr_officer=True)
    device, _ = enrol(officer)
    code_step_sign_in(client, officer)
    response = client.post(OFF_URL, {"otp": code_for(device, 2)})
    assert response.status_code == 403
    assert "required of every HR officer" in response.content.decode()
    assert two_factor.has_device(officer)


def test_turning_off_asks_for_a_code(client, pema):
    device, _ = enrol(pema)
    code_step_sign_in(client, pema)
    refused = client.post(OFF_URL, {"otp": wrong(code_for(device, 2))})
    assert refused.status_code == 200 and "That code is wrong" in refused.content.decode()
    assert two_factor.has_device(pema)
    response = client.post(OFF_URL, {"otp": code_for(device, 2)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=pema).exists()
    assert not StaticDevice.objects.filter(user=pema).exists()
    assert client.get("/notifications/").status_code == 200  # still signed in
    fresh = Client()
    assert fresh.post("/login/", {"username": "pema", "password": PASSWORD}).status_code == 302


# --- the token endpoint ----------------------------------------------------------------------------
def ask_token(otp=None, username="pema", address="10.0.0.1"):
    data = {"username": username, "password": PASSWORD}
    if otp is not None:
        data["otp"] = otp
    return APIClient(REMOTE_ADDR=address).post(TOKEN_URL, data, format="json")


def test_api_token_needs_the_code_where_two_factor_is_on(pema):
    device, codes = enrol(pema)
    missing = ask_token()
    assert missing.status_code == 401
    assert missing.json()["detail"] == "This account needs a two-factor code: send it as otp."
    assert missing["WWW-Authenticate"]
    refused = ask_token(wrong(code_for(device, 1)))
    assert refused.status_code == 401 and "wrong" in refused.json()["detail"]
    right = ask_token(code_for(device, 1))
    assert right.status_code == 200 and right.json()["token"]
    assert ask_token(codes[0]).status_code == 200  # a recovery code, once
    assert ask_token(codes[0]).status_code == 401


def test_api_token_without_two_factor_needs_no_code(pema):
    response = ask_token()
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_api_token_is_refused_until_a_required_person_sets_it_up(settings, role):
    settings.TWO_FACTOR_ROLES = [role]
    person = UserFactory(username=f"needs-{role}", **ROLE_USERS[role])
    response = ask_token(username=person.username)
    assert response.status_code == 401
    assert "set it up on the site first" in response.json()["detail"]
    settings.TWO_FACTOR_ROLES = []
    assert ask_token(username=person.username).status_code == 200


# --- throttling ----------------------------------------------------------------------------------
def test_wrong_codes_on_the_page_lock_the_account(client, pema):
    device, _ = enrol(pema)
    first = password_step(client)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response = code_step(client, first, wrong(code_for(device, 1)))
        assert response.status_code == 200
    locked = code_step(client, first, wrong(code_for(device, 1)))
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert AccessAttempt.objects.get(username="pema").failures_since_start == 5
    # Locked: the right code, and the password step elsewhere, are refused too.
    assert code_step(client, first, code_for(device, 1)).status_code == 429
    assert not signed_in(client)
    assert Client(REMOTE_ADDR="10.9.9.9").post(
        "/login/", {"username": "pema", "password": PASSWORD}).status_code == 429


def test_wrong_codes_on_the_token_endpoint_lock_the_account(pema):
    device, _ = enrol(pema)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(wrong(code_for(device, 1))).status_code == 401
    locked = ask_token(wrong(code_for(device, 1)))
    assert locked.status_code == 429 and locked["Retry-After"]
    assert "Try again after" in locked.json()["detail"]
    assert ask_token(code_for(device, 1), address="10.9.9.9").status_code == 429


# --- the way back ------------------------------------------------------------------------------------
def test_reset_two_factor_removes_the_devices(client, pema):
    enrol(pema)
    out = StringIO()
    call_command("reset_two_factor", "PEMA", stdout=out)
    assert "Removed from pema" in out.getvalue()
    assert "axes_reset_username pema" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=pema).exists()
    assert not StaticDevice.objects.filter(user=pema).exists()
    response = client.post("/login/", {"username": "pema", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)

    out = StringIO()
    call_command("reset_two_factor", "pema", stdout=out)
    assert "nothing removed" in out.getvalue()
    with pytest.raises(CommandError, match="No person has the username"):
        call_command("reset_two_factor", "nobody")


# --- the setting -------------------------------------------------------------------------------------
def _roles_at_startup(**env):
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DEBUG", "SECRET_KEY", "TWO_FACTOR_ROLES", "DJANGO_SETTINGS_MODULE"}}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="x" * 60)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
         "print(','.join(settings.TWO_FACTOR_ROLES) or '-')"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


def test_the_setting_defaults_by_debug_and_refuses_unknown_names():
    assert _roles_at_startup(DEBUG="0").stdout.strip() == "fund_managers,hr_officers,superusers"
    assert _roles_at_startup(DEBUG="1").stdout.strip() == "-"
    assert _roles_at_startup(DEBUG="0", TWO_FACTOR_ROLES="").stdout.strip() == "-"
    assert _roles_at_startup(DEBUG="1", TWO_FACTOR_ROLES=" hr_officers ").stdout.strip() == \
        "hr_officers"
    bad = _roles_at_startup(DEBUG="1", TWO_FACTOR_ROLES="fund_managers,panel_chairs")
    assert bad.returncode != 0
    assert "ImproperlyConfigured" in bad.stderr
    assert "TWO_FACTOR_ROLES names panel_chairs" in bad.stderr


# --- gaining a role that requires two-factor sign-in revokes the tokens made without a code ---
def _token(user):
    from people.tokens import token_create

    return token_create(user=user)


@pytest.mark.parametrize("side", ["user", "group"])
@pytest.mark.parametrize("role", ["fund_managers", "hr_officers"])
def test_joining_a_group_whose_role_requires_it_revokes_the_persons_tokens(settings, pema,
                                                                           role, side):
    from django.contrib.auth.models import Group

    from people.models import ApiToken

    settings.TWO_FACTOR_ROLES = [role]
    bystander = UserFactory()
    _token(pema), _token(pema), _token(bystander)
    group, _ = Group.objects.get_or_create(name=role)
    if side == "user":
        pema.groups.add(group)
    else:
        group.user_set.add(pema)
    assert not ApiToken.objects.filter(user=pema).exists()
    assert ApiToken.objects.filter(user=bystander).count() == 1


def test_a_role_not_requiring_it_and_other_groups_leave_tokens_alone(settings, pema):
    from django.contrib.auth.models import Group

    from people.models import ApiToken

    settings.TWO_FACTOR_ROLES = ["hr_officers"]
    _token(pema)
    pema.groups.add(Group.objects.get_or_create(name="fund_managers")[0],
                    Group.objects.get_or_create(name="book club")[0])
    assert ApiToken.objects.filter(user=pema).count() == 1


def test_becoming_a_superuser_revokes_tokens_where_superusers_need_it(settings, pema):
    from people.models import ApiToken

    settings.TWO_FACTOR_ROLES = ["superusers"]
    _token(pema)
    pema.first_name = "Pema"
    pema.save()  # an ordinary change keeps the token
    assert ApiToken.objects.filter(user=pema).count() == 1
    pema.is_superuser = True
    pema.save()
    assert not ApiToken.objects.filter(user=pema).exists()
    _token(pema)
    pema.save()  # already a superuser: the new token (asked for with a code) stays
    assert ApiToken.objects.filter(user=pema).count() == 1


# --- recovery codes and turning off ask for a code, and a wrong one counts (F5) -----------------
def _codes_of(user):
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def test_new_recovery_codes_ask_for_the_authenticator_code_and_are_logged(client, pema):
    from securitylog.models import SecurityEvent

    _, old = enrol(pema)
    device = code_step_sign_in(client, pema)
    before = SecurityEvent.objects.count()
    page = client.get(CODES_URL).content.decode()
    assert 'name="otp"' in page
    # No code, a recovery code (one would buy ten), a wrong code: nothing made.
    for otp in ("", old[0], wrong(code_for(device, 2))):
        refused = client.post(CODES_URL, {"otp": otp})
        assert refused.status_code == 200 and "authenticator app shows now" in \
            refused.content.decode()
        assert _codes_of(pema) == set(old) - ({old[0]} if otp == old[0] else set()) or \
            _codes_of(pema) == set(old)
    assert _codes_of(pema) & set(old)
    assert client.post(CODES_URL, {"otp": code_for(device, 2)}).status_code == 302
    assert not _codes_of(pema) & set(old)
    row = SecurityEvent.objects.filter(pk__gt=0).order_by("-pk").filter(
        detail="recovery codes replaced").get()
    assert row.kind == SecurityEvent.Kind.TWO_FACTOR_ENROLLED
    assert row.subject == pema and row.actor == pema
    assert SecurityEvent.objects.count() > before


@pytest.mark.parametrize("url", [CODES_URL, OFF_URL])
def test_wrong_codes_on_the_account_pages_lock_the_account(client, pema, url):
    device, old = enrol(pema)
    code_step_sign_in(client, pema)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"otp": wrong(code_for(device, 2))}).status_code == 200
    assert AccessAttempt.objects.get(username="pema").failures_since_start == \
        django_settings.AXES_FAILURE_LIMIT - 1
    locked = client.post(url, {"otp": wrong(code_for(device, 2))})
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Locked: the right code is refused too, and nothing changed.
    assert client.post(url, {"otp": code_for(device, 2)}).status_code == 429
    assert two_factor.has_device(pema) and _codes_of(pema) == set(old)
    assert Client(REMOTE_ADDR="10.9.9.9").post(
        "/login/", {"username": "pema", "password": PASSWORD}).status_code == 429


# --- turning it on or off ends the person's other sessions (F6) -----------------------------------
def test_turning_two_factor_on_ends_the_other_sessions(pema):
    elsewhere, here = Client(), Client()
    elsewhere.force_login(pema)
    here.force_login(pema)
    assert elsewhere.get("/notifications/").status_code == 200
    here.get(SETUP_URL)
    key = here.session[two_factor.SESSION_SETUP_KEY]
    response = here.post(SETUP_URL, {"otp": f"{totp(bytes.fromhex(key)):06d}"})
    assert response.status_code == 302 and response["Location"] == CODES_URL
    ended = elsewhere.get("/notifications/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert not signed_in(elsewhere)
    assert Client().get("/api/v1/auth/tokens/").status_code in (401, 403)
    # This session goes on, verified, and shows the codes.
    assert "<code>" in here.get(CODES_URL).content.decode()
    assert here.get("/notifications/").status_code == 200


def test_turning_two_factor_off_ends_the_other_sessions(pema):
    device, codes = enrol(pema)
    elsewhere, here = Client(), Client()
    assert code_step(elsewhere, password_step(elsewhere), codes[0]).status_code == 302
    code_step_sign_in(here, pema, drift=1)
    assert here.post(OFF_URL, {"otp": code_for(device, 2)}).status_code == 302
    assert elsewhere.get("/notifications/").status_code == 302 and not signed_in(elsewhere)
    assert here.get("/notifications/").status_code == 200


# --- a double-submitted set-up form (F7) ----------------------------------------------------------
def test_enabling_twice_at_once_makes_one_device(pema, monkeypatch):
    """The second of two requests at once read "no device" before the first made one: under
    the lock on the person it finds that device and is refused."""
    key = default_key()
    code = f"{totp(bytes.fromhex(key)):06d}"
    device, codes = two_factor.two_factor_enable(actor=pema, key=key, code=code)
    assert device is not None and len(codes) == 10
    real, stale = two_factor.has_device, [False]  # what the second request saw first

    def has_device(user):
        return stale.pop() if stale else real(user)

    monkeypatch.setattr(two_factor, "has_device", has_device)
    assert two_factor.two_factor_enable(actor=pema, key=key, code=code) == (None, [])
    assert TOTPDevice.objects.filter(user=pema).count() == 1
    assert StaticDevice.objects.filter(user=pema).count() == 1


def _stale_once(monkeypatch, stale, user):
    """The next session read gives `stale`: a copy read before another request saved. That
    request read the person at the same moment (a few statements later, in
    PrivilegedSessionMiddleware), before the set-up ended the other sessions, so the copy's
    session hash still matched: here it is the person's hash now."""
    from django.contrib.auth import HASH_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user.refresh_from_db()
    stale = {**stale, HASH_SESSION_KEY: user.get_session_auth_hash()}

    real, pending = SessionStore.load, [dict(stale)]

    def load(self):
        return pending.pop() if pending else real(self)

    monkeypatch.setattr(SessionStore, "load", load)


def _enrol_on_the_page(client):
    client.get(SETUP_URL)
    key = client.session[two_factor.SESSION_SETUP_KEY]
    stale = dict(client.session.items())  # what the concurrent request read
    response = client.post(SETUP_URL, {"otp": f"{totp(bytes.fromhex(key)):06d}"})
    assert response.status_code == 302 and response["Location"] == CODES_URL
    return stale


@pytest.mark.parametrize("flag", ["false", "missing"])
def test_a_stale_copy_of_the_session_does_not_sign_out_the_verified_one(
        client, settings, monkeypatch, flag):
    """The other half of a double click read the session before the set-up verified it: its
    copy says "no device" (or lacks the flag). It is neither signed out nor saved over the
    verified session, and the codes are still shown."""
    settings.TWO_FACTOR_ROLES = ["hr_officers"]
    officer = UserFactory(hr_officer=True)
    client.force_login(officer)
    stale = _enrol_on_the_page(client)
    if flag == "missing":
        stale.pop(two_factor.SESSION_HAS_DEVICE, None)
    else:
        assert stale[two_factor.SESSION_HAS_DEVICE] is False
    _stale_once(monkeypatch, stale, officer)
    response = client.post(SETUP_URL, {"otp": "123456"})  # the repeat, as the guard answers it
    assert response.status_code == 302 and not response["Location"].startswith("/login/")
    assert signed_in(client)
    shown = client.get(CODES_URL).content.decode()
    assert shown.count("<code>") == 10
    assert client.get("/notifications/").status_code == 200
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_a_stale_copy_that_changed_is_not_saved_over_the_verified_session(
        client, pema, monkeypatch):
    """A stale copy that a page changed (here the last-seen time of a fund manager's session)
    is not saved: the verified session stays."""
    import time

    from people.sessions import LAST_SEEN_AT

    manager = UserFactory(fund_manager=True)
    client.force_login(manager)
    stale = _enrol_on_the_page(client)
    stale[LAST_SEEN_AT] = int(time.time()) - 120  # written again by this request
    _stale_once(monkeypatch, stale, manager)
    assert client.get("/account/two-factor/").status_code in (200, 302)
    assert signed_in(client)
    assert client.get(CODES_URL).content.decode().count("<code>") == 10
    assert client.get("/notifications/").status_code == 200


def test_a_session_that_never_gave_a_code_is_still_signed_out(client, pema):
    """The stale-copy rule does not spare a session that no request verified (no flag)."""
    enrol(pema)
    client.force_login(pema)
    session = client.session
    session.pop(two_factor.SESSION_HAS_DEVICE, None)
    session.save()
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not signed_in(client)
