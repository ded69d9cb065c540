"""Cache-Control: no-store on what a signed-in person sees and on every API answer; the API
schema and docs for signed-in people unless API_SCHEMA_PUBLIC (workflow/security.py)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from people.factories import UserFactory
from workflow.security import NoStoreMiddleware

pytestmark = pytest.mark.django_db
SCHEMA_JSON = "application/vnd.oai.openapi+json"


def test_a_signed_in_page_is_no_store(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_an_api_answer_is_no_store_with_session_and_with_token(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/funds/")["Cache-Control"] == "no-store"

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = api.get("/api/v1/funds/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    # Refusals too: an API answer is never stored.
    assert APIClient().get("/api/v1/funds/")["Cache-Control"] == "no-store"


def test_a_pdf_download_is_no_store(client):
    person = UserFactory()
    client.force_login(person)
    response = client.get(f"/people/{person.pk}/dossier.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"


def test_anonymous_public_pages_are_not_forced_to_no_store(client):
    response = client.get("/help/conflicts/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    # The anonymous landing page (the sign-in page) keeps what Django's login view sets.
    landing = client.get("/", follow=True)
    assert landing.status_code == 200
    assert landing.get("Cache-Control") != "no-store"


def test_a_view_s_own_cache_control_is_kept():
    request = RequestFactory().get("/api/v1/x/")

    def view(_request):
        response = HttpResponse("x")
        response["Cache-Control"] = "private, max-age=60"
        return response

    assert NoStoreMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"


def test_schema_and_docs_are_for_signed_in_people(client):
    assert client.get("/api/schema/", HTTP_ACCEPT=SCHEMA_JSON).status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")
    client.force_login(UserFactory())
    assert client.get("/api/schema/", HTTP_ACCEPT=SCHEMA_JSON).status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_api_schema_public_opens_them_to_everyone(client, settings):
    settings.API_SCHEMA_PUBLIC = True
    assert client.get("/api/schema/", HTTP_ACCEPT=SCHEMA_JSON).status_code == 200
    assert client.get("/api/docs/").status_code == 200
