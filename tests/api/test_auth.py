"""Token authentication: POST auth/token/ answers {"token"}; endpoints want a token (401)."""

import pytest
from django.http import HttpRequest
from rest_framework.test import APIClient

from people.factories import PASSWORD, UserFactory
from people.models import ApiToken
from people.tokens import digest

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def test_good_credentials_give_the_users_token():
    user = UserFactory(username="pema")
    response = APIClient().post(TOKEN_URL, {"username": "pema", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert list(response.json()) == ["token"]
    assert ApiToken.objects.get(user=user).digest == digest(response.json()["token"])


@pytest.mark.parametrize(
    "body",
    [
        {"username": "pema", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_wrong_credentials_are_401_with_www_authenticate(body):
    UserFactory(username="pema")
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert "token" not in response.json()


@pytest.mark.parametrize("body", [{"username": "pema"}, {}])
def test_missing_credentials_are_400(body):
    UserFactory(username="pema")
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_inactive_user_gets_no_token():
    UserFactory(username="pema", is_active=False)
    response = APIClient().post(TOKEN_URL, {"username": "pema", "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_malformed_json_is_400():
    response = APIClient().post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_token_opens_the_api_and_no_token_is_401():
    user = UserFactory(username="pema")
    key = APIClient().post(
        TOKEN_URL, {"username": "pema", "password": PASSWORD}, format="json"
    ).json()["token"]
    anonymous = APIClient().get("/api/v1/agencies/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Token")
    wrong = APIClient(HTTP_AUTHORIZATION="Token not-a-key").get("/api/v1/agencies/")
    assert wrong.status_code == 401
    signed_in = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/agencies/")
    assert signed_in.status_code == 200
    assert user.api_tokens.get().digest == digest(key)


def test_session_authentication_works_for_the_web_pages(client):
    UserFactory(username="pema")
    assert client.login(request=HttpRequest(), username="pema", password=PASSWORD)
    assert client.get("/api/v1/agencies/").status_code == 200
