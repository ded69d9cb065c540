"""Two requests at once for the same export or report make one job between them (found by an
outsider's attack: six simultaneous requests made three jobs). PostgreSQL only: the lock on
the owner's row is what serialises them (SQLite writes one at a time)."""

import threading

import pytest
from django.db import connection

from jobs import services
from jobs.models import Job
from people.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARAMS = {"export": "proposals", "format": "csv", "label": "Proposals",
          "filename": "proposals.csv"}


def test_the_same_export_asked_twice_at_once_makes_one_job(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock that serialises the two requests is PostgreSQL's")
    monkeypatch.setattr(services, "enqueue", lambda job_id: None)  # the jobs stay waiting
    owner = UserFactory(fund_manager=True)
    ready = threading.Barrier(4)
    made, errors = [], []

    def ask():
        from django.db import connection as own

        try:
            ready.wait()
            made.append(services.start_export_job(actor=owner, params=dict(PARAMS)).pk)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(made)) == 1, made
    assert Job.objects.filter(owner=owner).count() == 1


def test_a_waiting_job_is_reused_one_request_after_another(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda job_id: None)
    owner = UserFactory(fund_manager=True)
    first = services.start_export_job(actor=owner, params=dict(PARAMS))
    second = services.start_export_job(actor=owner, params=dict(PARAMS, filename="other.csv"))
    assert first.pk == second.pk
