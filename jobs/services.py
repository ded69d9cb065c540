"""Write side of jobs: starting one, running it once, and picking up what was left behind.

How a job travels (see docs/background-work.md, "Jobs"):
1. `start_job` checks the starter may start that kind, creates the queued job and asks for
   `transaction.on_commit(...)`: a rolled-back request enqueues nothing.
2. After the commit the task `jobs.run_job` goes to the broker (eagerly run without one).
   If the broker is down the failure is logged and the job simply stays queued: the
   request succeeds, and `run_pending_jobs` (command and task) runs it later.
3. `run_job` (running.py) claims the job (queued → running) under a row lock; a retried or duplicate
   delivery finds it running, ready or failed and does nothing. It runs the kind's
   function as the owner, stores the result privately and moves the job to ready, or to
   failed with a message the owner can read (the exception is logged).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext

from . import tasks
from .kinds import KINDS, import_confirmable, may_import
from .models import Job
from .running import STALE_AFTER, failure_message, run_job, run_pending_jobs  # noqa: F401
from .storage import job_storage

logger = logging.getLogger(__name__)

# Files above this size are imported as a job rather than within the request.
LARGE_IMPORT_BYTES = 1024 * 1024


def large_import_bytes() -> int:
    return int(getattr(settings, "JOBS_LARGE_IMPORT_BYTES", LARGE_IMPORT_BYTES))


# --- starting -------------------------------------------------------------------------------
def start_job(*, actor, kind: str, params: dict, follows: Job | None = None) -> Job:
    """Queue a job of `kind` for `actor` if they may start it; it runs after the commit."""
    job_kind = KINDS.get(kind)
    if job_kind is None:
        raise ValidationError({"kind": gettext("There is no job of the kind “%(kind)s”.") % {
            "kind": kind}})
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
    Without a broker (Celery eager) and with settings.JOBS_IN_THREAD, the job runs in a
    thread of this process instead (`run_in_thread`), so the request that started it answers
    at once and never waits for it (nor dies of the server's timeout with it).

    Never raises: this runs after the request's change committed, which must stand.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "JOBS_IN_THREAD", False):
        run_in_thread(job_id)
        return
    try:
        tasks.run_job.delay(job_id)
    except Exception:
        logger.exception("Could not enqueue jobs.run_job(%s); it stays queued for "
                         "run_pending_jobs", job_id)


def run_in_thread(job_id: int):
    """Run the job in a daemon thread of this process, with its own database connection
    (closed when it is done); the thread is returned (tests join it). Without a broker this is
    what "off the request" means: a server restart meanwhile leaves the job running, and
    `run_pending_jobs` fails it after STALE_AFTER so nothing waits forever."""
    import threading

    from django.db import connections

    def work():
        try:
            run_job(job_id=job_id)
        except Exception:
            logger.exception("Job %s could not run in its thread", job_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, name=f"job-{job_id}", daemon=True)
    thread.start()
    return thread


def is_large_import(upload) -> bool:
    return upload.size > large_import_bytes()


def start_import_job(*, actor, kind: str, upload, skip_bad_rows: bool) -> Job:
    """Check a large file in a dry run off the request; the owner confirms it on the job page.

    `kind` is a key of `datafiles.kinds.IMPORTS`. The file is kept in private storage
    until it is applied or refused.
    """
    from datafiles.kinds import IMPORTS

    if not may_import(actor):
        raise PermissionDenied(gettext("Only fund managers and administrators may import files."))
    if kind not in IMPORTS:
        raise ValidationError({"kind": gettext("There is no import of the kind “%(kind)s”.") % {
            "kind": kind}})
    label, importer = IMPORTS[kind]
    suffix = Path(upload.name).suffix.lower()
    stored = job_storage().save(f"inputs/{get_random_string(24)}{suffix}", upload)
    params = {
        "import": kind, "label": str(label), "importer": importer, "file": stored,
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
            raise PermissionDenied(gettext("This is not your import."))
        existing = dry_run.followups.order_by("pk").first()
        if existing is not None:
            return existing
        if not import_confirmable(dry_run):
            raise ValidationError(gettext("This dry run cannot be applied: choose the file again."))
        params = {**dry_run.params, "dry_run": False}
        return start_job(actor=actor, kind=Job.Kind.IMPORT, params=params, follows=dry_run)


def start_export_job(*, actor, params: dict) -> Job:
    """Make a large export off the request (`params`: export, format, label, filename and the
    export's options); its page offers the file to its owner when ready. The same export
    asked again (or twice by a double click) while its job still waits or runs answers with
    that job (`selectors.waiting_jobs`): nothing is made twice. The filename (it carries the
    day) is not compared."""
    def same(job_params: dict) -> bool:
        def key(p):
            return {k: v for k, v in p.items() if k != "filename"}
        return key(job_params) == key(params)

    if actor is None or not getattr(actor, "pk", None):
        return start_job(actor=actor, kind=Job.Kind.EXPORT, params=params)

    def waiting(waiting_jobs):
        found = waiting_jobs(actor, Job.Kind.EXPORT).filter(params__export=params.get("export"))
        return next((job for job in found[:20] if same(job.params)), None)

    return waiting_or_started(actor=actor, kind=Job.Kind.EXPORT, params=params, waiting=waiting)


def waiting_or_started(*, actor, kind: str, params: dict, waiting) -> Job:
    """The job `waiting(selectors.waiting_jobs)` finds for `actor`, else a new one: the check
    and the creation under a lock on the actor's row, so two requests at once (a double click,
    a script asking twice) make one job between them (found by an outsider's attack). On
    PostgreSQL the second request waits for the first to commit; SQLite writes one at a time."""
    from people.models import User

    from .selectors import waiting_jobs

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).exists()
        job = waiting(waiting_jobs)
        if job is not None:
            return job
        return start_job(actor=actor, kind=kind, params=params)
