"""Celery queues by kind of work: mail, documents (PDFs), files (imports/exports), default."""

import pytest
from django.conf import settings

from config.celery import app
from config.task_routes import QUEUES, route_task
from jobs.factories import JobFactory
from jobs.models import Job


def queue_of(name, args=(), kwargs=None):
    route = app.amqp.router.route({}, name, args, kwargs or {})
    return route["queue"].name


@pytest.mark.parametrize(("task", "queue"), [
    ("notifications.notify_transition", "mail"),
    ("notifications.notify_event", "mail"),
    ("notifications.send_reminders", "mail"),
    ("notifications.resend_notifications", "mail"),
    ("fund.close_due_rounds", "default"),
    ("workflow.sweep_form_tokens", "default"),
    ("jobs.run_pending_jobs", "default"),
    ("notifications.database_name", "default"),
])
def test_each_task_goes_to_the_queue_of_its_kind(task, queue):
    assert queue_of(task) == queue


def test_every_task_of_the_product_is_registered_and_routed_to_a_known_queue():
    import workflow.tasks  # noqa: F401
    names = [n for n in app.tasks if n.split(".")[0] in
             {"jobs", "notifications", "workflow", "fund"}]
    assert "jobs.run_job" in names and "notifications.notify_event" in names
    for name in names:
        if name != "jobs.run_job":
            assert queue_of(name) in QUEUES


@pytest.mark.django_db
def test_a_job_goes_to_the_queue_of_its_kind():
    portfolio = JobFactory(kind=Job.Kind.ROUND_PORTFOLIO)
    imported = JobFactory(kind=Job.Kind.IMPORT)
    exported = JobFactory(kind=Job.Kind.EXPORT)
    assert queue_of("jobs.run_job", (portfolio.pk,)) == "documents"
    assert queue_of("jobs.run_job", (), {"job_id": imported.pk}) == "files"
    assert queue_of("jobs.run_job", (exported.pk,)) == "files"
    assert queue_of("jobs.run_job", (10**9,)) == "files"  # gone: still somewhere that runs


def test_a_worker_without_q_consumes_every_queue():
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert [q.name for q in settings.CELERY_TASK_QUEUES] == ["default", "mail", "documents", "files"]
    assert route_task("another.library_task", (), {}, {}) is None  # the default queue
