"""Starting and running jobs: once, after the commit, with a clear message when they fail."""

import io
import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from documents import portfolio
from jobs import services, tasks
from jobs.factories import JobFactory
from jobs.kinds import KINDS
from jobs.models import Job
from jobs.storage import job_storage
from people.factories import UserFactory
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    # Table cells wrap long titles: compare words, not line breaks.
    return " ".join(text.split())


def _portfolio(world, user=None) -> Job:
    return services.start_job(actor=user or world.manager, kind=Job.Kind.ROUND_PORTFOLIO,
                              params={"round": world.round.pk})


@pytest.fixture
def render_count(monkeypatch):
    """Count the portfolio renderings (the real renderer still runs)."""
    calls = []
    real = portfolio.round_portfolio_pdf

    def counting(round_, viewer):
        calls.append(round_.pk)
        return real(round_, viewer)

    monkeypatch.setattr(portfolio, "round_portfolio_pdf", counting)
    return calls


def test_a_job_goes_queued_running_ready_and_each_move_is_logged(world, monkeypatch):
    job = _portfolio(world)
    assert job.state == Job.State.QUEUED and job.title == "Portfolio report: Digital services for districts"
    seen_while_running = []
    real_run = KINDS[Job.Kind.ROUND_PORTFOLIO].run

    def spying(job_):
        seen_while_running.append(Job.objects.get(pk=job_.pk).state)
        return real_run(job_)

    monkeypatch.setitem(KINDS, Job.Kind.ROUND_PORTFOLIO,
                        replace(KINDS[Job.Kind.ROUND_PORTFOLIO], run=spying))
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert seen_while_running == [Job.State.RUNNING]
    assert job.state == Job.State.READY
    assert job.started_at <= job.finished_at
    assert job.result_name == f"round-{world.round.pk}-portfolio.pdf"
    assert job.result_content_type == "application/pdf"
    moves = [(log.from_state, log.to_state, log.actor_id)
             for log in TransitionLog.objects.for_object(job)]
    assert moves == [("queued", "running", None), ("running", "ready", None)]


def test_the_result_is_the_round_portfolio_pdf_stored_privately(world):
    job = _portfolio(world)
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.result.name.startswith(f"results/job-{job.pk}/")
    assert "private-jobs" in job.result.path
    with pytest.raises(ValueError):
        job.result.url  # noqa: B018 - no URL is ever made for a job's file
    with job.result.open("rb") as handle:
        text = _text(handle.read())
    assert f"Round portfolio: {world.round.title}" in text
    assert "SMS queue for district hospitals" in text


def test_running_twice_renders_once_and_keeps_one_result(world, render_count):
    job = _portfolio(world)
    assert services.run_job(job_id=job.pk) is not None
    first = Job.objects.get(pk=job.pk).result.name
    assert services.run_job(job_id=job.pk) is None  # a duplicate delivery
    assert tasks.run_job(job.pk) == "nothing to do"
    assert render_count == [world.round.pk]
    assert Job.objects.get(pk=job.pk).result.name == first
    assert len(job_storage().listdir(f"results/job-{job.pk}")[1]) == 1
    assert TransitionLog.objects.for_object(job).count() == 2


def test_a_running_job_is_left_alone_by_another_delivery(world, render_count):
    job = JobFactory(owner=world.manager, running=True, params={"round": world.round.pk})
    assert services.run_job(job_id=job.pk) is None
    assert render_count == [] and Job.objects.get(pk=job.pk).state == Job.State.RUNNING


def test_an_unknown_job_id_does_nothing(db):
    assert services.run_job(job_id=999999) is None


def test_a_failure_records_a_clear_message_and_logs_the_error(world, monkeypatch, caplog):
    def broken(round_, viewer):
        raise RuntimeError("disk full")

    monkeypatch.setattr(portfolio, "round_portfolio_pdf", broken)
    job = _portfolio(world)
    with caplog.at_level(logging.ERROR, logger="jobs.services"):
        services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.finished_at
    assert job.error.startswith(f"Something went wrong while doing this (job {job.pk})")
    assert "disk full" in job.error_detail and "disk full" not in job.error
    assert f"Job {job.pk} (round_portfolio) failed" in caplog.text
    assert not job.result
    log = TransitionLog.objects.for_object(job).last()
    assert (log.from_state, log.to_state) == ("running", "failed")


def test_the_owner_losing_access_before_the_run_fails_the_job(world):
    job = _portfolio(world, world.chair)
    # Panels with assignments are evidence: the chair loses the chair instead.
    world.chair.panels_chaired.update(chair=UserFactory())
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "You may no longer see this round's portfolio report."


@pytest.mark.parametrize("role", ["hr", "lead", "reviewer", "admin", "stranger"])
def test_only_those_who_may_read_the_portfolio_start_it(world, role):
    with pytest.raises(PermissionDenied, match="fund managers and the round's panel chairs"):
        _portfolio(world, getattr(world, role))
    assert not Job.objects.exists()


def test_the_task_is_sent_only_after_the_commit(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.run_job, "delay", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            _portfolio(world)
            raise RuntimeError("the request fails after starting the job")
    assert sent == [] and not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        job = _portfolio(world)
        assert sent == []  # not before the commit
    assert sent == [job.pk]


def test_with_eager_celery_the_job_is_ready_after_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _portfolio(world)
    job.refresh_from_db()
    assert job.state == Job.State.READY


def test_broker_down_leaves_the_job_queued_for_run_pending_jobs(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks,
):
    def refuse(job_id):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.run_job, "delay", refuse)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        job = _portfolio(world)
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert f"Could not enqueue jobs.run_job({job.pk})" in caplog.text
    out = io.StringIO()
    call_command("run_pending_jobs", stdout=out)
    assert "Ran 1 waiting job(s)" in out.getvalue()
    job.refresh_from_db()
    assert job.state == Job.State.READY
    call_command("run_pending_jobs", stdout=out)  # nothing left: nothing runs twice
    assert "Ran 0 waiting job(s)" in out.getvalue()


def test_run_pending_jobs_leaves_new_jobs_to_their_task_and_fails_interrupted_ones(world):
    fresh = _portfolio(world)
    stuck = JobFactory(owner=world.manager, running=True, params={"round": world.round.pk})
    Job.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=2))
    counts = services.run_pending_jobs(older_than=timedelta(minutes=1))
    assert counts == {"ran": 0, "interrupted": 1}
    assert Job.objects.get(pk=fresh.pk).state == Job.State.QUEUED
    stuck.refresh_from_db()
    assert stuck.state == Job.State.FAILED and "interrupted" in stuck.error
