"""The error pages in production (DEBUG off): 403 and 404 in the site's layout, 500 standalone."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template import loader
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from people.factories import UserFactory


def _boom(request):
    raise RuntimeError("database on fire")


def _refused_without_words(request):
    raise PermissionDenied


def _refused_at_length(request):
    raise PermissionDenied("x" * 400)


# The site's own URLs plus three views that fail on purpose (ROOT_URLCONF points here).
urlpatterns = [
    path("boom/", _boom),
    path("refused/", _refused_without_words),
    path("refused-long/", _refused_at_length),
    path("", include("config.urls")),
]

production = override_settings(DEBUG=False, ROOT_URLCONF=__name__)


def _in_layout(page: str) -> bool:
    return 'class="site-header"' in page and 'class="site-nav"' in page and "site.css" in page


@production
def test_a_refusal_shows_the_services_words_in_the_layout(client, civil_servant):
    client.force_login(civil_servant)
    response = client.get("/proposals/queue/")
    page = response.content.decode()
    assert response.status_code == 403
    assert _in_layout(page)
    assert "Only fund managers screen proposals." in page
    assert "Sign out" in page  # the signed-in navigation, from the context processors
    assert 'href="/"' in page


@production
@pytest.mark.parametrize("url", ["/refused/", "/refused-long/"])
def test_a_refusal_without_a_readable_message_gets_the_general_words(client, civil_servant, url):
    client.force_login(civil_servant)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 403
    assert _in_layout(page)
    assert "does not give you access" in page
    assert "x" * 301 not in page


@production
def test_a_missing_page_is_a_404_in_the_layout(client, civil_servant):
    client.force_login(civil_servant)
    response = client.get("/proposals/987654/")
    page = response.content.decode()
    assert response.status_code == 404
    assert _in_layout(page)
    assert "We cannot find that page" in page
    assert "No Proposal matches" not in page  # the exception's text would say what exists
    assert "your dashboard" in page


@production
def test_the_404_page_works_for_visitors_too(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert _in_layout(page)
    assert "Sign in" in page


@production
def test_a_server_error_gets_a_standalone_page(client, db):
    client.raise_request_exception = False
    client.force_login(UserFactory())
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "site.css" in page and 'href="/"' in page
    assert "database on fire" not in page


@pytest.mark.django_db
def test_the_500_page_needs_no_request_and_no_database():
    with CaptureQueriesContext(connection) as queries:
        page = loader.get_template("500.html").render()
    assert len(queries) == 0
    assert "Something went wrong on our side" in page


def test_a_form_without_its_security_token_gets_a_page_that_says_what_to_do(settings):
    from django.test import Client

    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "someone", "password": "secret"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your form could not be sent" in body and "reload the page" in body
