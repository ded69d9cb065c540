"""Without a broker, a job runs in a thread of the web process (settings.JOBS_IN_THREAD): the
request that starts it answers at once, and a large export never dies with the request of
gunicorn's timeout (found by the scale benchmark: the reviews export at 100k proposals ran
inside its request for 31 s and was killed)."""

import threading

import pytest

from jobs import services
from jobs.models import Job

EXPORT = {"export": "proposals", "format": "csv", "label": "Proposals",
          "filename": "proposals.csv"}


def _thread_of(job):
    return next(t for t in threading.enumerate() if t.name == f"job-{job.pk}")


@pytest.fixture
def gate(settings, monkeypatch):
    """Jobs in a thread (no broker), each held until the test sets the returned event."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.JOBS_IN_THREAD = True
    release = threading.Event()
    real_run = services.run_job

    def gated(*, job_id):
        assert release.wait(10)
        return real_run(job_id=job_id)

    monkeypatch.setattr(services, "run_job", gated)
    return release


@pytest.mark.django_db(transaction=True)
def test_the_request_answers_before_the_job_is_done(gate, fund_manager):
    release = gate
    job = services.start_export_job(actor=fund_manager, params=dict(EXPORT))
    thread = _thread_of(job)  # started after the commit, not run here
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and thread.is_alive()
    release.set()
    thread.join(20)
    job.refresh_from_db()
    assert job.state == Job.State.READY and job.result


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_fails_in_its_thread_and_the_thread_ends(gate, fund_manager):
    release = gate
    job = services.start_export_job(actor=fund_manager, params=dict(EXPORT))
    thread = _thread_of(job)
    # No longer allowed to export when it runs: the job fails with a message, no file.
    type(fund_manager).objects.filter(pk=fund_manager.pk).update(is_active=False)
    release.set()
    thread.join(20)
    assert not thread.is_alive()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and not job.result


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_job_goes_to_it(settings, monkeypatch, fund_manager):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.JOBS_IN_THREAD = True
    sent = []
    monkeypatch.setattr(services.tasks.run_job, "delay", lambda job_id: sent.append(job_id))
    job = services.start_export_job(actor=fund_manager, params=dict(EXPORT))
    assert sent == [job.pk]
    assert not any(t.name == f"job-{job.pk}" for t in threading.enumerate())
