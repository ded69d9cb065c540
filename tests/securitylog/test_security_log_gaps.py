"""What the security log must tell apart, and who may see or touch two-factor devices and
sign-in records in the admin (attack report F3, F9, F10):

- a wrong two-factor code is not a wrong password;
- a session the product ended (idle, max age, no code given) names no actor and says why;
- a password changed in any channel (the admin, the emailed link, a script) is a row;
- a device's secret key changed, recovery codes added or removed, in any channel, are rows;
- django-otp's and axes' admin pages are superusers' only; no secret or code is shown.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from people import two_factor
from people.factories import PASSWORD, UserFactory
from people.models import User
from people.signals import acting_as
from securitylog.models import SecurityEvent

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
PAGE = "/account/security/"


def rows(**filters):
    return list(SecurityEvent.objects.filter(**filters).order_by("id"))


def only_row(**filters):
    found = rows(**filters)
    assert len(found) == 1, [(r.kind, r.detail) for r in found]
    return found[0]


def enrol(user):
    key = default_key()
    device, codes = two_factor.two_factor_enable(
        actor=user, key=key, code=f"{totp(bytes.fromhex(key)):06d}")
    assert device is not None
    return device, codes


@pytest.fixture(autouse=True)
def _no_roles_required(settings):
    settings.TWO_FACTOR_ROLES = []


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def auditor(db):
    """Staff, not superuser, holding every permission of django-otp and axes."""
    user = UserFactory(username="auditor", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=["otp_totp", "otp_static", "axes", "securitylog"]))
    return User.objects.get(pk=user.pk)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- F9: wrong code vs wrong password ---------------------------------------------------------
def test_a_wrong_two_factor_code_is_told_apart_from_a_wrong_password_and_still_counted(client):
    pema = UserFactory(username="pema")
    enrol(pema)
    client.post("/login/", {"username": "pema", "password": "wrong"})
    response = client.post("/login/", {"username": "pema", "password": PASSWORD})
    client.post("/login/code/", {"pending": response.context["pending"], "otp": "abcdefgh"})
    assert [(r.subject, r.detail) for r in rows(kind=Kind.SIGN_IN_FAILED)] == [
        (pema, "wrong password"), (pema, "wrong two-factor code")]
    assert AccessAttempt.objects.get(username="pema").failures_since_start == 2


# --- F9: sessions the product ended --------------------------------------------------------------
def _aged(client, **seconds):
    session = client.session
    for key, value in seconds.items():
        session[f"_{key}"] -= value
    session.save()


@pytest.mark.parametrize("aged, detail", [
    ({"last_seen_at": 31 * 60}, "session ended: idle 30 minutes"),
    ({"signed_in_at": 8 * 3600 + 60, "last_seen_at": 0}, "session ended: 8 hours"),
])
def test_a_session_the_product_ended_names_no_actor_and_says_why(aged, detail):
    sonam = UserFactory(username="sonam", fund_manager=True)
    client = client_for(sonam)
    assert client.get(PAGE).status_code == 200
    _aged(client, **aged)
    assert client.get(PAGE).status_code == 302
    row = only_row(kind=Kind.SIGN_OUT)
    assert (row.actor, row.subject, row.detail) == (None, sonam, detail)


def test_a_session_that_gave_no_code_ended_by_the_product_names_no_actor():
    pema = UserFactory(username="pema")
    enrol(pema)
    client = client_for(pema)  # signed in without a code (as the admin's page once did)
    assert client.get(PAGE).status_code == 302
    row = only_row(kind=Kind.SIGN_OUT)
    assert (row.actor, row.subject, row.detail) == (
        None, pema, "session ended: two-factor code not given")


def test_signing_out_oneself_still_names_the_person():
    pema = UserFactory(username="pema")
    client_for(pema).post("/logout/")
    row = only_row(kind=Kind.SIGN_OUT)
    assert (row.actor, row.detail) == (pema, "")


# --- F9: passwords in every channel ---------------------------------------------------------------
def test_a_password_set_by_an_administrator_names_them(root):
    pema = UserFactory(username="pema")
    response = client_for(root).post(f"/admin/people/user/{pema.pk}/password/", {
        "password1": "Another-pass-2027", "password2": "Another-pass-2027",
        "usable_password": "true"})
    assert response.status_code == 302, response.content
    row = only_row(kind=Kind.PASSWORD_CHANGED)
    assert (row.actor, row.subject, row.detail) == (root, pema, "password changed")


def test_a_password_reset_by_the_emailed_link_is_logged():
    pema = UserFactory(username="pema")
    client = Client()
    link = (f"/password/set/{urlsafe_base64_encode(force_bytes(pema.pk))}/"
            f"{default_token_generator.make_token(pema)}/")
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "Another-pass-2027",
                                      "new_password2": "Another-pass-2027"})
    assert response.status_code == 302, response.content
    row = only_row(kind=Kind.PASSWORD_CHANGED)
    assert (row.actor, row.subject, row.detail) == (None, pema, "password changed by emailed link")


def test_a_password_changed_by_a_script_and_made_unusable_is_logged(root):
    pema = UserFactory(username="pema")
    pema = User.objects.get(pk=pema.pk)
    pema.set_password("Another-pass-2027")
    pema.save()
    with acting_as(root):
        pema.set_unusable_password()
        pema.save(update_fields=["password"])
    assert [(r.actor, r.detail) for r in rows(kind=Kind.PASSWORD_CHANGED)] == [
        (None, "password changed"), (root, "password removed (no password works)")]


def test_signing_in_and_other_saves_are_no_password_change(client, settings):
    pema = UserFactory(username="pema")
    # A stored hash Django upgrades at sign-in is the same password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert client.post("/login/", {"username": "pema", "password": PASSWORD}).status_code == 302
    assert User.objects.get(pk=pema.pk).password.startswith("pbkdf2_")
    pema = User.objects.get(pk=pema.pk)
    pema.first_name = "Pema"
    pema.save()
    assert not rows(kind=Kind.PASSWORD_CHANGED)


# --- F3: devices and recovery codes in any channel -------------------------------------------------
def test_a_changed_secret_key_is_logged_with_who_changed_it(root):
    pema = UserFactory(username="pema")
    device, _ = enrol(pema)
    device = TOTPDevice.objects.get(pk=device.pk)
    with acting_as(root):
        device.key = "11" * 20
        device.save()
    row = only_row(kind=Kind.TWO_FACTOR_CHANGED)
    assert (row.actor, row.subject, row.detail) == (
        root, pema, "authenticator app: secret key changed")
    device.name = "new phone"
    device.save()  # verifying a code or renaming: no row
    assert len(rows(kind=Kind.TWO_FACTOR_CHANGED)) == 1


def test_recovery_codes_added_or_removed_are_logged_and_a_removed_set_is_one_row(root):
    pema = UserFactory(username="pema")
    enrol(pema)
    device = StaticDevice.objects.get(user=pema)
    with acting_as(root):
        StaticToken.objects.create(device=device, token="adminknown1")
        device.token_set.filter(token__in=list(
            device.token_set.values_list("token", flat=True)[:3])).delete()
    assert [(r.actor, r.subject, r.detail) for r in rows(kind=Kind.TWO_FACTOR_CHANGED)] == [
        (root, pema, "1 recovery code added"),
        (root, pema, "3 recovery codes removed (used to sign in, or deleted)")]
    with acting_as(root):
        StaticDevice.objects.get(pk=device.pk).delete()
    assert len(rows(kind=Kind.TWO_FACTOR_CHANGED)) == 2  # the set's own row says it all
    assert only_row(kind=Kind.TWO_FACTOR_REMOVED).detail == "recovery codes"


def test_a_recovery_code_used_is_logged():
    pema = UserFactory(username="pema")
    _, codes = enrol(pema)
    assert two_factor.verify_code(pema, codes[0]) is not None
    row = only_row(kind=Kind.TWO_FACTOR_CHANGED)
    assert (row.subject, row.detail) == (pema, "1 recovery code removed (used to sign in, or deleted)")


# --- F3: django-otp's admin ----------------------------------------------------------------
def test_staff_with_every_otp_permission_sees_no_device(auditor, root):
    device, _ = enrol(root)
    static = StaticDevice.objects.get(user=root)
    client = client_for(auditor)
    for url in ["/admin/otp_totp/totpdevice/", f"/admin/otp_totp/totpdevice/{device.pk}/change/",
                f"/admin/otp_totp/totpdevice/{device.pk}/delete/",
                "/admin/otp_static/staticdevice/",
                f"/admin/otp_static/staticdevice/{static.pk}/change/"]:
        assert client.get(url).status_code in (403, 404), url
    assert "otp_totp" not in client.get("/admin/").content.decode()


def test_a_superuser_sees_no_secret_adds_nothing_and_removes_a_device_logged(root):
    pema = UserFactory(username="pema")
    device, codes = enrol(pema)
    static = StaticDevice.objects.get(user=pema)
    root_session = client_for(root)

    page = root_session.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    for url in [f"/admin/otp_totp/totpdevice/{device.pk}/config/",
                f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/"]:
        page = root_session.get(url, follow=True)  # no such page: the admin says so
        assert "otpauth" not in page.content.decode() and page["Content-Type"].startswith(
            "text/html"), url
        assert device.key not in page.content.decode()
    assert root_session.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    page = root_session.get(f"/admin/otp_static/staticdevice/{static.pk}/change/")
    assert page.status_code == 200
    assert not any(code in page.content.decode() for code in codes)
    response = root_session.post(f"/admin/otp_totp/totpdevice/{device.pk}/change/",
                                 {"user": pema.pk, "name": "x", "key": "11" * 20})
    assert response.status_code == 403
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key

    response = root_session.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    row = only_row(kind=Kind.TWO_FACTOR_REMOVED)
    assert (row.actor, row.subject, row.detail) == (root, pema, "authenticator app")


# --- F10: axes' admin ----------------------------------------------------------------------
def _axes_rows():
    AccessAttempt.objects.create(username="pema", ip_address="10.0.0.1", user_agent="x",
                                 failures_since_start=5, get_data="", post_data="",
                                 http_accept="", path_info="/login/")
    AccessLog.objects.create(username="sonam", ip_address="10.0.0.2", user_agent="x",
                             http_accept="", path_info="/login/")
    AccessFailureLog.objects.create(username="pema", ip_address="10.0.0.1", user_agent="x",
                                    http_accept="", path_info="/login/")


AXES_LISTS = ["/admin/axes/accessattempt/", "/admin/axes/accesslog/",
              "/admin/axes/accessfailurelog/"]


def test_staff_with_axes_permissions_sees_no_sign_in_record(auditor):
    _axes_rows()
    client = client_for(auditor)
    for url in AXES_LISTS:
        assert client.get(url).status_code == 403, url
    attempt = AccessAttempt.objects.get()
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.exists()


def test_a_superuser_reads_them_and_unlocks_by_deleting_an_attempt(root):
    _axes_rows()
    client = client_for(root)
    for url in AXES_LISTS:
        assert client.get(url).status_code == 200, url
    log = AccessLog.objects.get(username="sonam")
    assert client.post(f"/admin/axes/accesslog/{log.pk}/delete/",
                       {"post": "yes"}).status_code == 403  # the logs are read-only
    attempt = AccessAttempt.objects.get()
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/",
                       {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
