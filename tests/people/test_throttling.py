"""Sign-in throttling (django-axes, people/throttling.py): wrong passwords lock the account
and the address on every way in; the lock ends after the cool-off, on success, or when an
administrator resets it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
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
    return date_format(timezone.localtime(last + django_settings.AXES_COOLOFF_TIME), "H:i")


def assert_retry_after(response):
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= django_settings.AXES_COOLOFF_TIME.total_seconds()


def test_the_settings_are_as_documented():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.AXES_RESET_ON_SUCCESS is True


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
