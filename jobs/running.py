"""Running a job once, and picking up what was left behind (the tasks call these).

`run_job` claims the job (queued → running) under a row lock; a retried or duplicate
delivery finds it running, ready or failed and does nothing. It runs the kind's function as
the owner, stores the result privately and moves the job to ready, or to failed with a
message the owner can read (the exception is logged). `run_pending_jobs` runs what is still
queued and fails what was interrupted. Starting a job is in services.py.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from workflow.services import run_transition

from .kinds import KINDS
from .models import Job
from .viewer import viewer_fingerprint

logger = logging.getLogger("jobs.services")

# A job running longer than this was interrupted (a worker killed mid-run, its message acked).
STALE_AFTER = timedelta(hours=1)


def _claim(job_id: int) -> Job | None:
    """Move a queued job to running and return it; None when another delivery has it."""
    with transaction.atomic():
        job = Job.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            logger.info("Job %s is gone or being claimed elsewhere; nothing to do", job_id)
            return None
        if job.state != Job.State.QUEUED:
            logger.info("Job %s is already %s; nothing to do", job_id, job.state)
            return None
        job.started_at = timezone.now()
        run_transition(instance=job, name="start", actor=None, system=True)
    return job


def failure_message(exc: Exception, job: Job) -> str:
    """What the owner reads: the refusal itself when it is meant for them, else a pointer."""
    if isinstance(exc, ValidationError):
        messages = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict") else exc.messages
        )
        return " ".join(messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or "You may no longer do this."
    if isinstance(exc, ObjectDoesNotExist | FileNotFoundError):
        return "What this job needed is no longer there; start it again."
    return (
        f"Something went wrong while doing this (job {job.pk}); the error was logged. "
        "Try again, and tell the administrators if it fails again."
    )


def _fail(job: Job, message: str, detail: str = "") -> None:
    job.error = message
    job.error_detail = detail[:5000]
    job.finished_at = timezone.now()
    run_transition(instance=job, name="fail", actor=None, system=True, note=message[:500])


def run_job(*, job_id: int) -> Job | None:
    """Run a queued job once, as its owner; None when there was nothing to do."""
    job = _claim(job_id)
    if job is None:
        return None
    kind = KINDS[job.kind]
    try:
        # Before the data is read: a change meanwhile makes the file unreadable, never the
        # other way round.
        fingerprint = viewer_fingerprint(job.owner) if kind.as_seen_by_owner else ""
        outcome = kind.run(job)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, failure_message(exc, job), repr(exc))
        return job
    with transaction.atomic():
        if outcome.content is not None:
            # bytes, or a File written on disk as it was made (an export: constant memory)
            content = (outcome.content if isinstance(outcome.content, File)
                       else ContentFile(outcome.content))
            try:
                job.result.save(outcome.filename, content, save=False)
            finally:
                content.close()
            job.result_name = outcome.filename
            job.result_content_type = outcome.content_type
        job.report = outcome.report
        job.viewer_fingerprint = fingerprint
        job.finished_at = timezone.now()
        run_transition(instance=job, name="finish", actor=None, system=True)
    logger.info("Job %s (%s) ready", job.pk, job.kind)
    return job


def run_pending_jobs(*, older_than: timedelta = timedelta(minutes=1),
                     stale_after: timedelta = STALE_AFTER) -> dict[str, int]:
    """Run the jobs still queued (their enqueue failed, or the broker lost them) and fail the
    ones running for longer than `stale_after` (interrupted): nothing waits forever."""
    now = timezone.now()
    counts = {"ran": 0, "interrupted": 0}
    stale = Job.objects.filter(state=Job.State.RUNNING, started_at__lt=now - stale_after)
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update(skip_locked=True).filter(
                pk=job_id, state=Job.State.RUNNING).first()
            if job is None:
                continue
            logger.warning("Job %s has been running since %s; marking it failed", job.pk,
                           job.started_at)
            _fail(job, "The job was interrupted before it finished; start it again.")
            counts["interrupted"] += 1
    queued = Job.objects.filter(state=Job.State.QUEUED, created_at__lte=now - older_than)
    for job_id in queued.order_by("created_at").values_list("pk", flat=True):
        if run_job(job_id=job_id) is not None:
            counts["ran"] += 1
    return counts
