"""Write side of jobs: starting one, running it once, and picking up what was left behind.

How a job travels (see docs/background-work.md, "Jobs"):
1. `start_job` checks the starter may start that kind, creates the queued job and asks for
   `transaction.on_commit(...)`: a rolled-back request enqueues nothing.
2. After the commit the task `jobs.run_job` goes to the broker (eagerly run without one).
   If the broker is down the failure is logged and the job simply stays queued: the
   request succeeds, and `run_pending_jobs` (command and task) runs it later.
3. `run_job` claims the job (queued → running) under a row lock; a retried or duplicate
   delivery finds it running, ready or failed and does nothing. It runs the kind's
   function as the owner, stores the result privately and moves the job to ready, or to
   failed with a message the owner can read (the exception is logged).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from workflow.services import run_transition

from .kinds import KINDS, import_confirmable, may_import
from .models import Job
from .storage import job_storage

logger = logging.getLogger(__name__)

# Files above this size are imported as a job rather than within the request.
LARGE_IMPORT_BYTES = 1024 * 1024
# A job running longer than this was interrupted (a worker killed mid-run, its message acked).
STALE_AFTER = timedelta(hours=1)


def large_import_bytes() -> int:
    return int(getattr(settings, "JOBS_LARGE_IMPORT_BYTES", LARGE_IMPORT_BYTES))


# --- starting -------------------------------------------------------------------------------
def start_job(*, actor, kind: str, params: dict, follows: Job | None = None) -> Job:
    """Queue a job of `kind` for `actor` if they may start it; it runs after the commit."""
    job_kind = KINDS.get(kind)
    if job_kind is None:
        raise ValidationError({"kind": f"There is no job of the kind “{kind}”."})
    if not (actor and actor.is_authenticated and job_kind.may_start(actor, params)):
        raise PermissionDenied(job_kind.refused)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, owner=actor, params=params, follows=follows,
            title=job_kind.title(params)[:300],
        )
        job_id = job.pk
        transaction.on_commit(lambda: enqueue(job_id), robust=True)
    logger.info("Job %s (%s) queued for %s", job.pk, kind, actor)
    return job


def enqueue(job_id: int) -> None:
    """Send the job to the broker; if that fails, log it and leave the job queued.

    Never raises: this runs after the request's change committed, which must stand.
    """
    from . import tasks

    try:
        tasks.run_job.delay(job_id)
    except Exception:
        logger.exception("Could not enqueue jobs.run_job(%s); it stays queued for "
                         "run_pending_jobs", job_id)


def is_large_import(upload) -> bool:
    return upload.size > large_import_bytes()


def start_import_job(*, actor, kind: str, upload, skip_bad_rows: bool) -> Job:
    """Check a large file in a dry run off the request; the owner confirms it on the job page.

    `kind` is a key of `datafiles.kinds.IMPORTS`. The file is kept in private storage
    until it is applied or refused.
    """
    from datafiles.kinds import IMPORTS

    if not may_import(actor):
        raise PermissionDenied("Only fund managers and administrators may import files.")
    if kind not in IMPORTS:
        raise ValidationError({"kind": f"There is no import of the kind “{kind}”."})
    label, importer = IMPORTS[kind]
    suffix = Path(upload.name).suffix.lower()
    stored = job_storage().save(f"inputs/{get_random_string(24)}{suffix}", upload)
    params = {
        "import": kind, "label": label, "importer": importer, "file": stored,
        "name": Path(upload.name).name, "skip_bad_rows": bool(skip_bad_rows), "dry_run": True,
    }
    try:
        return start_job(actor=actor, kind=Job.Kind.IMPORT, params=params)
    except Exception:
        job_storage().delete(stored)
        raise


def confirm_import_job(*, actor, dry_run: Job) -> Job:
    """Apply the file a ready dry run checked, once: a second confirmation returns the first."""
    with transaction.atomic():
        dry_run = Job.objects.select_for_update().get(pk=dry_run.pk)
        if dry_run.owner_id != getattr(actor, "pk", None):
            raise PermissionDenied("This is not your import.")
        existing = dry_run.followups.order_by("pk").first()
        if existing is not None:
            return existing
        if not import_confirmable(dry_run):
            raise ValidationError("This dry run cannot be applied: choose the file again.")
        params = {**dry_run.params, "dry_run": False}
        return start_job(actor=actor, kind=Job.Kind.IMPORT, params=params, follows=dry_run)


# --- running --------------------------------------------------------------------------------
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
    try:
        outcome = KINDS[job.kind].run(job)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, failure_message(exc, job), repr(exc))
        return job
    with transaction.atomic():
        if outcome.content is not None:
            job.result.save(outcome.filename, ContentFile(outcome.content), save=False)
            job.result_name = outcome.filename
            job.result_content_type = outcome.content_type
        job.report = outcome.report
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
