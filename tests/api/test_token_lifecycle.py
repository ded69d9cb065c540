"""API tokens expire (by age and by idleness), are revoked by DELETE auth/token/, and are
revoked when the password changes (form, emailed reset link) or the person is deactivated.
(Several tokens per person, listing and the page: tests/people/test_tokens_sessions.py.)"""

from datetime import timedelta

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from people.factories import PASSWORD, UserFactory
from people.models import ApiToken, User
from people.tokens import EXPIRED, digest

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
ANY = "/api/v1/agencies/"
NEW_PASSWORD = "a-new-pass-2026-long"


def get_key(username="pema", password=PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password},
                                format="json")
    assert response.status_code == 200
    return response.json()["token"]


def with_key(key) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def stored(key):
    """The stored token of `key` (only its digest is kept)."""
    return ApiToken.objects.filter(digest=digest(key))


@pytest.fixture
def pema():
    return UserFactory(username="pema")


def test_a_fresh_token_works_and_records_its_use_at_most_once_a_minute(pema):
    key = get_key()
    assert with_key(key).get(ANY).status_code == 200
    assert stored(key).get().last_used_at is None  # used within a minute of being made
    stored(key).update(created=timezone.now() - timedelta(minutes=5))
    assert with_key(key).get(ANY).status_code == 200
    first = stored(key).get().last_used_at
    assert first is not None
    assert with_key(key).get(ANY).status_code == 200
    assert stored(key).get().last_used_at == first


def test_a_token_older_than_the_maximum_age_is_refused(pema, settings):
    key = get_key()
    settings.API_TOKEN_IDLE = timedelta(days=365)
    stored(key).update(created=timezone.now() - timedelta(days=31))
    response = with_key(key).get(ANY)
    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED}
    assert response["WWW-Authenticate"].startswith("Token")
    new_key = get_key()  # asking again gives a new token that works
    assert new_key != key
    assert with_key(new_key).get(ANY).status_code == 200


def test_the_maximum_age_is_a_setting(pema, settings):
    key = get_key()
    stored(key).update(created=timezone.now() - timedelta(hours=2), last_used_at=timezone.now())
    assert with_key(key).get(ANY).status_code == 200
    settings.API_TOKEN_MAX_AGE = timedelta(hours=1)
    assert with_key(key).get(ANY).json() == {"detail": EXPIRED}


def test_a_token_unused_for_too_long_is_refused(pema):
    key = get_key()
    stored(key).update(created=timezone.now() - timedelta(days=2),
                       last_used_at=timezone.now() - timedelta(hours=7))
    assert with_key(key).get(ANY).status_code == 200  # 7 hours idle: still good, and touched
    stored(key).update(last_used_at=timezone.now() - timedelta(hours=8, minutes=1))
    response = with_key(key).get(ANY)
    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED}


def test_a_token_never_used_counts_idleness_from_its_creation(pema):
    key = get_key()
    stored(key).update(created=timezone.now() - timedelta(hours=9))
    assert with_key(key).get(ANY).json() == {"detail": EXPIRED}


def test_delete_revokes_the_token_it_is_sent_with(pema):
    key = get_key()
    client = with_key(key)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not stored(key).exists()
    assert client.get(ANY).status_code == 401
    assert client.delete(TOKEN_URL).status_code == 401
    assert with_key(get_key()).get(ANY).status_code == 200


def test_delete_without_a_token_is_401_and_by_session_is_400(pema, client):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    key = get_key()
    client.force_login(pema)
    response = client.delete(TOKEN_URL)
    assert response.status_code == 400
    assert "no API token" in response.json()["detail"]
    assert stored(key).exists()


def test_a_password_change_revokes_the_token(pema):
    key = get_key()
    user = User.objects.get(pk=pema.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert with_key(key).get(ANY).status_code == 401
    assert not ApiToken.objects.filter(user=pema).exists()
    assert with_key(get_key(password=NEW_PASSWORD)).get(ANY).status_code == 200


def test_setting_the_password_with_the_form_revokes_the_token(pema):
    key = get_key()
    form = SetPasswordForm(User.objects.get(pk=pema.pk),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    assert with_key(key).get(ANY).status_code == 401


def test_a_reset_through_the_emailed_link_revokes_the_token(pema, client):
    key = get_key()
    uid = urlsafe_base64_encode(force_bytes(pema.pk))
    link = f"/password/set/{uid}/{default_token_generator.make_token(pema)}/"
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD,
                                      "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, getattr(response, "context", None)
    assert User.objects.get(pk=pema.pk).check_password(NEW_PASSWORD)
    assert with_key(key).get(ANY).status_code == 401


def test_deactivation_revokes_the_token(pema):
    key = get_key()
    user = User.objects.get(pk=pema.pk)
    user.is_active = False
    user.save()
    assert not stored(key).exists()
    user.is_active = True
    user.save()
    assert with_key(key).get(ANY).status_code == 401


def test_other_changes_keep_the_token(pema):
    key = get_key()
    user = User.objects.get(pk=pema.pk)
    user.first_name = "Pema"
    user.save()
    User.objects.get(pk=pema.pk).save(update_fields=["last_login"])
    assert with_key(key).get(ANY).status_code == 200
