"""A broker that is really down (nothing listening), not a mocked `delay`: the request that
enqueues still answers quickly, keeps the change, and leaves the emails for
resend_notifications."""

import time

import pytest

from config.celery import app as celery_app
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dead = "redis://127.0.0.1:9/0"  # the discard port: nobody answers
    settings.CELERY_BROKER_URL = dead
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery prefers the environment's
    settings.CELERY_RESULT_BACKEND = None
    # Fresh connection pools for the dead broker; the suite's own come back afterwards.
    saved = celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool = celery_app.amqp._producer_pool = None
    assert celery_app.conf.broker_url == dead
    yield
    celery_app._pool, celery_app.amqp._producer_pool = saved


def test_a_request_with_the_broker_down_answers_within_seconds(
    world, client, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/funds/rounds/{world.round.pk}/transitions/close/",
                               {"note": "Closing early."})
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    world.round.refresh_from_db()
    assert world.round.state == "closed"
    told = Notification.objects.get(recipient=world.manager, kind="fund.round.close")
    assert not told.email_sent  # left for resend_notifications
    assert elapsed < 8, f"the request took {elapsed:.1f} s with the broker down"
