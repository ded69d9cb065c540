"""Sign-in throttling (django-axes, people/throttling.py): wrong passwords lock the account
and the address on every way in; the lock ends after the cool-off, on success, or when an
administrator resets it."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from people.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN_URL = "/login/"
TOKEN_URL = "/api/v1/auth/token/"
RESET_URL = "/password/reset/"
ADDRESS_A, ADDRESS_B, ADDRESS_C = "10.0.0.1", "10.0.0.2", "10.0.0.3"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pema(db):
    return UserFactory(username="pema")


def limit() -> int:
    return django_settings.AXES_FAILURE_LIMIT


def sign_in(username, password, address=ADDRESS_A):
    return Client(REMOTE_ADDR=address).post(
        LOGIN_URL, {"username": username, "password": password}
    )


def get_token(username, password, address=ADDRESS_A):
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )


def expected_time() -> str:
    last = AccessAttempt.objects.latest("attempt_time").attempt_time
    until = timezone.localtime(last + django_settings.AXES_COOLOFF_TIME)
    text = date_format(until, "H:i")
    # After midnight in Thimphu the page names the day too (the suite failed at 23:54).
    return text if until.date() == timezone.localdate() else f"{date_format(until, 'j F')} {text}"


def assert_retry_after(response):
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= django_settings.AXES_COOLOFF_TIME.total_seconds()


def test_the_settings_are_as_documented():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    # Off: axes would clear other accounts' failures from the same address; a complete
    # sign-in clears the account's own (people/throttling.py, reset_account_failures).
    assert django_settings.AXES_RESET_ON_SUCCESS is False


def test_wrong_passwords_then_the_right_one_is_refused_on_the_page(pema):
    for _ in range(limit() - 1):
        assert sign_in("pema", "wrong").status_code == 200
    locked = sign_in("pema", "wrong")
    assert locked.status_code == 429
    response = sign_in("pema", PASSWORD)
    assert response.status_code == 429
    assert_retry_after(response)
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Too many attempts" in page
    assert f"You may try again after {expected_time()}" in page
    assert "_auth_user_id" not in response.client.session


def test_wrong_passwords_then_the_right_one_is_refused_on_the_token_endpoint(pema):
    for _ in range(limit() - 1):
        wrong = get_token("pema", "wrong")
        assert wrong.status_code == 401
        assert wrong["WWW-Authenticate"].startswith("Token")
    assert get_token("pema", "wrong").status_code == 429
    response = get_token("pema", PASSWORD)
    assert response.status_code == 429
    assert_retry_after(response)
    body = response.json()
    assert "token" not in body
    assert f"try again after {expected_time()}" in body["detail"].lower()


def test_the_page_and_the_token_endpoint_share_one_count(pema):
    for _ in range(limit() - 1):
        sign_in("pema", "wrong")
    get_token("pema", "wrong")
    assert get_token("pema", PASSWORD).status_code == 429
    assert sign_in("pema", PASSWORD).status_code == 429


def test_the_account_is_locked_from_every_address_whatever_the_case(pema):
    for i in range(limit()):
        sign_in(["PEMA", "Pema", "pema"][i % 3], "wrong", address=f"10.1.0.{i}")
    assert sign_in("pema", PASSWORD, address=ADDRESS_C).status_code == 429
    assert get_token("PEMA", PASSWORD, address=ADDRESS_C).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"pema"}


def test_one_address_cannot_try_many_accounts(pema):
    for i in range(limit()):
        sign_in(f"someone{i}", "wrong", address=ADDRESS_A)
    assert sign_in("pema", PASSWORD, address=ADDRESS_A).status_code == 429
    assert get_token("pema", PASSWORD, address=ADDRESS_A).status_code == 429
    # The account itself is not locked: from another address it signs in.
    assert sign_in("pema", PASSWORD, address=ADDRESS_B).status_code == 302
    assert get_token("pema", PASSWORD, address=ADDRESS_B).status_code == 200


def test_the_lock_ends_after_the_cool_off(pema):
    for _ in range(limit()):
        sign_in("pema", "wrong")
    assert sign_in("pema", PASSWORD).status_code == 429
    earlier = timezone.now() - django_settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=earlier)
    assert sign_in("pema", PASSWORD).status_code == 302


def test_the_limit_and_cool_off_are_settings(pema, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    sign_in("pema", "wrong")
    response = sign_in("pema", "wrong")
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 60


def test_success_resets_the_count(pema):
    for _ in range(limit() - 1):
        sign_in("pema", "wrong")
    assert sign_in("pema", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    for _ in range(limit() - 1):
        get_token("pema", "wrong")
    assert get_token("pema", PASSWORD).status_code == 200


def test_axes_reset_username_unlocks(pema):
    for _ in range(limit()):
        sign_in("pema", "wrong")
    assert sign_in("pema", PASSWORD).status_code == 429
    call_command("axes_reset_username", "pema")
    assert sign_in("pema", PASSWORD).status_code == 302


def test_the_administrator_sees_the_attempts_in_the_admin(pema):
    for _ in range(limit()):
        sign_in("pema", "wrong")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "pema" in page.content.decode()


def test_password_link_requests_are_counted_per_address(pema):
    client = Client(REMOTE_ADDR=ADDRESS_A)
    for _ in range(limit()):
        assert client.post(RESET_URL, {"email": "pema@example.gov.bt"}).status_code == 302
    sent = len(mail.outbox)
    response = client.post(RESET_URL, {"email": "pema@example.gov.bt"})
    assert response.status_code == 429
    assert_retry_after(response)
    assert len(mail.outbox) == sent
    other = Client(REMOTE_ADDR=ADDRESS_B).post(RESET_URL, {"email": "pema@example.gov.bt"})
    assert other.status_code == 302
    # Only the address is counted: the account still signs in from elsewhere.
    assert sign_in("pema", PASSWORD, address=ADDRESS_C).status_code == 302


def test_an_address_locked_out_of_signing_in_gets_no_password_links(pema):
    for i in range(limit()):
        sign_in(f"someone{i}", "wrong", address=ADDRESS_A)
    response = Client(REMOTE_ADDR=ADDRESS_A).post(RESET_URL, {"email": "pema@example.gov.bt"})
    assert response.status_code == 429
    assert Client(REMOTE_ADDR=ADDRESS_A).get(RESET_URL).status_code == 200


# --- a success clears the account's own count only (attack report F1, F2, F8) -----------------
def failures_of(username) -> int:
    return sum(AccessAttempt.objects.filter(username=username)
               .values_list("failures_since_start", flat=True))


def enrolled(username):
    """A person with two-factor sign-in on (a confirmed authenticator app)."""
    person = UserFactory(username=username)
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token=StaticToken.random_token())
    return person, device


def code_now(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_sign_in_does_not_clear_other_accounts_failures_from_its_address(pema):
    UserFactory(username="karma")
    for i in range(limit() - 1):
        assert sign_in("karma", f"guess{i}").status_code == 200
    assert failures_of("karma") == limit() - 1
    # Someone else signs in from the same address, on the page and at the token endpoint.
    assert sign_in("pema", PASSWORD).status_code == 302
    assert get_token("pema", PASSWORD).status_code == 200
    assert failures_of("karma") == limit() - 1
    assert sign_in("karma", "guess-last", address=ADDRESS_B).status_code == 429
    assert sign_in("karma", PASSWORD, address=ADDRESS_C).status_code == 429


def test_a_sign_in_does_not_clear_other_accounts_wrong_codes(pema):
    _, device = enrolled("sonam")
    client = Client(REMOTE_ADDR=ADDRESS_A)
    pending = client.post(LOGIN_URL, {"username": "sonam", "password": PASSWORD}
                          ).context["pending"]
    wrong = f"{(int(code_now(device)) + 500_000) % 1_000_000:06d}"
    for _ in range(limit() - 1):
        response = client.post("/login/code/", {"pending": pending, "otp": wrong})
        assert response.status_code == 200
    assert sign_in("pema", PASSWORD).status_code == 302
    assert failures_of("sonam") == limit() - 1
    response = client.post("/login/code/", {"pending": pending, "otp": wrong})
    assert response.status_code == 429


def test_a_sign_in_without_the_code_due_clears_nothing(pema):
    person, device = enrolled("sonam")
    for _ in range(limit() - 1):
        sign_in("sonam", "wrong")
    Client().force_login(person)  # signed in some other way, with no code
    assert failures_of("sonam") == limit() - 1
    # The complete sign-in, password and code, clears the account's count.
    client = Client(REMOTE_ADDR=ADDRESS_A)
    pending = client.post(LOGIN_URL, {"username": "sonam", "password": PASSWORD}
                          ).context["pending"]
    assert client.post("/login/code/", {"pending": pending, "otp": code_now(device)}
                       ).status_code == 302
    assert failures_of("sonam") == 0


def test_the_admins_sign_in_page_sends_to_the_sign_in_page(pema):
    root, _ = enrolled("root")
    root.is_staff = root.is_superuser = True
    root.save()
    for _ in range(limit() - 1):
        sign_in("root", "wrong")
    client = Client(REMOTE_ADDR=ADDRESS_A)
    response = client.post("/admin/login/?next=/admin/people/",
                           {"username": "root", "password": PASSWORD, "next": "/admin/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Fpeople%2F"
    assert "_auth_user_id" not in client.session
    assert failures_of("root") == limit() - 1
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == \
        "/login/?next=%2Fadmin%2F"
    # Signed in: a staff member goes on, anyone else is refused (no loop through /login/).
    staff = UserFactory(username="tashi", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/login/?next=/admin/people/")["Location"] == "/admin/people/"
    other = Client()
    other.force_login(pema)
    assert other.get("/admin/login/?next=/admin/").status_code == 403


def test_a_token_clears_the_accounts_count_not_the_addresss(pema):
    UserFactory(username="deki")
    for _ in range(limit() - 2):
        assert get_token("deki", "bad").status_code == 401
    get_token("deki", "bad", address=ADDRESS_B)
    get_token("karma", "bad")  # another account, same address
    assert get_token("deki", PASSWORD).status_code == 200
    assert failures_of("deki") == 0  # from every address
    assert failures_of("karma") == 1
    for _ in range(limit() - 1):
        assert get_token("deki", "typo", address=ADDRESS_C).status_code == 401  # not 429


# --- credentials that could be nobody's (attack report F4) -----------------------------------
LONG = "u" * 300


def stored_usernames():
    return list(AccessAttempt.objects.values_list("username", flat=True))


@pytest.mark.parametrize("username, password", [
    (LONG, "x"), ("a" * 151, "x"), ("ﷺ" * 20, "x"),  # 360 characters once NFKC-normalised
    ("pema", "x" * 5000), ("pe\x00ma", "x"), ("pema", "pass\x00word"),
])
def test_malformed_credentials_on_the_page_are_a_wrong_password(pema, username, password):
    with CaptureQueriesContext(connection) as queries:
        response = sign_in(username, password)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "correct username and password" in errors[0]
    assert not response.context["form"].errors.get("username")
    # The validation answered: nothing long reached axes or any query, the address is counted.
    assert stored_usernames() == [None]
    assert AccessAttempt.objects.get().ip_address == ADDRESS_A
    assert not any(LONG in q["sql"] or "\x00" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("body", [
    {"username": LONG, "password": "x"},
    {"username": "a" * 151, "password": PASSWORD},
    {"username": "pe\x00ma", "password": PASSWORD},
    {"username": "pema", "password": "x\x00"},
    {"username": "pema", "password": "x" * 5000},
])
def test_malformed_credentials_at_the_token_endpoint_are_401(pema, body):
    response = APIClient(REMOTE_ADDR=ADDRESS_A).post(TOKEN_URL, body, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unable to sign in with the username and password given."}
    assert stored_usernames() == [None]
    assert all(len(name or "") <= 150 for name in stored_usernames())


def test_a_lone_surrogate_at_the_token_endpoint_is_401(pema):
    response = APIClient(REMOTE_ADDR=ADDRESS_A).post(
        TOKEN_URL, '{"username": "pe\\ud800ma", "password": "x"}', content_type="application/json")
    assert response.status_code == 401
    assert stored_usernames() == [None]


def test_malformed_credentials_count_against_the_address(pema):
    for _ in range(limit() - 1):
        assert get_token(LONG, "x").status_code == 401
    assert get_token(LONG, "x").status_code == 429
    assert sign_in("pema", PASSWORD).status_code == 429  # the address is locked
    assert sign_in("pema", PASSWORD, address=ADDRESS_B).status_code == 302  # not the account


@pytest.mark.parametrize("otp", ["ab\x00cd", "1" * 41, "12345\ud800", "x" * 100_000])
def test_malformed_codes_are_wrong_codes_counted_for_the_account(otp):
    enrolled("sonam")
    body = json.dumps({"username": "sonam", "password": PASSWORD, "otp": otp})  # \ud800 kept
    with CaptureQueriesContext(connection) as queries:
        response = APIClient(REMOTE_ADDR=ADDRESS_A).post(
            TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 401
    assert "wrong" in response.json()["detail"]
    assert failures_of("sonam") == 1
    assert not any("\x00" in q["sql"] or "x" * 100 in q["sql"] for q in queries.captured_queries)
    client = Client(REMOTE_ADDR=ADDRESS_B)
    pending = client.post(LOGIN_URL, {"username": "sonam", "password": PASSWORD}
                          ).context["pending"]
    page = client.post("/login/code/", {"pending": pending, "otp": otp.replace("\ud800", "")})
    assert page.status_code == 200
    assert "That code is wrong" in page.content.decode()
    assert failures_of("sonam") == 2


@pytest.mark.parametrize("email", ["pema\x00@example.gov.bt", "p" * 300 + "@example.gov.bt"])
def test_malformed_emails_for_a_password_link_are_the_forms_error(pema, email):
    response = Client(REMOTE_ADDR=ADDRESS_A).post(RESET_URL, {"email": email})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert len(mail.outbox) == 0
