"""The OpenAPI schema is generated cleanly and the docs page works on a closed network."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_schema_generates_without_errors_or_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    # Raises (SchemaGenerationError) on any warning or validation error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/auth/token/", "/api/v1/agencies/", "/api/v1/people/", "/api/v1/funds/",
        "/api/v1/funds/{fund_pk}/contributions/", "/api/v1/rounds/",
        "/api/v1/rounds/{id}/transitions/{transition}/", "/api/v1/proposals/",
        "/api/v1/proposals/{id}/transitions/{transition}/", "/api/v1/proposals/{id}/attachments/",
    ):
        assert f"{path}:" in text, path


def test_schema_endpoint_answers_openapi_3(client):
    client.force_login(UserFactory())  # signed-in people only (API_SCHEMA_PUBLIC off)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/api/v1/proposals/{id}/transitions/{transition}/"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404", "409"}
    names = next(p for p in operation["parameters"] if p["name"] == "transition")["schema"]["enum"]
    assert {"submit", "withdraw", "screen_out", "send_to_review", "request_revision"} <= set(names)
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "token" in schema["components"]["schemas"]["Token"]["properties"]
    assert token["responses"]["200"]


def test_docs_page_uses_only_vendored_assets(client):
    client.force_login(UserFactory())
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), "external URL in docs"
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), f"missing vendored asset {asset}"
