"""/health/live/ needs nothing; /health/ready/ answers 503 naming the dependency that fails."""

from unittest import mock

import pytest
from django.db import OperationalError

from config import health

pytestmark = pytest.mark.django_db


def test_liveness_touches_no_database_and_sets_no_cookie(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies  # no session, no CSRF cookie


def test_liveness_stays_up_when_the_database_is_down(client):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.connect",
                    side_effect=OperationalError("connection refused")):
        response = client.get("/health/live/")
    assert response.status_code == 200


def test_readiness_lists_each_check_as_ok(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/health/ready/", HTTP_ACCEPT="text/html")  # JSON whatever is asked
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {
        "database:default": "ok", "storage:default": "ok", "cache:default": "ok"}}
    assert not response.cookies


def test_readiness_is_503_when_the_database_fails(client, caplog):
    reason = 'connection to server at "db-prod-01.fund.internal" (10.20.3.4), port 5432 failed'
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.temporary_connection",
                    side_effect=OperationalError(reason)):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database:default"] == "unavailable"
    # The driver's message names the host: logged for the operator, never told to the caller.
    assert "db-prod-01" not in response.content.decode()
    assert "db-prod-01" in caplog.text
    assert body["checks"]["storage:default"] == "ok"


def test_readiness_checks_the_broker_when_one_is_configured(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    with mock.patch.object(health.Broker, "run", return_value=None) as probe:
        response = client.get("/health/ready/")
    assert probe.called
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_readiness_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    connection = mock.MagicMock()
    connection.__enter__.return_value.ensure_connection.side_effect = OSError("refused")
    with mock.patch("config.celery.app.connection_for_write", return_value=connection):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"
    assert response.json()["checks"]["database:default"] == "ok"


def test_readiness_is_503_when_media_storage_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    from django.core.files.storage import storages

    storages._storages.pop("default", None)  # the storage follows MEDIA_ROOT from now on
    response = client.get("/health/ready/")
    storages._storages.pop("default", None)
    assert response.status_code == 503
    assert response.json()["checks"]["storage:default"] != "ok"


def test_readiness_without_broker_does_not_check_one(settings):
    settings.CELERY_BROKER_URL = ""
    assert [type(c).__name__ for c in health.ready_checks()] == ["Database", "Storage", "Cache"]
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    assert "Broker" in [type(c).__name__ for c in health.ready_checks()]


def test_probes_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health/(live|ready)/$"]
    assert client.get("/health/live/").status_code == 200
    assert client.get("/login/").status_code == 301  # the test can fail: others redirect
