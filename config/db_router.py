"""Reads of exports and analytics from a read replica (docs/scaling.md, "A read replica").

Off unless DATABASE_REPLICA_URL is set: settings.py then adds the `replica` alias, this router
and `ReplicaReadsMiddleware`. Everything writes to `default`, and everything reads from
`default` too, except while a "replica read" is open:

- a GET or HEAD request whose path starts with one of DATABASE_REPLICA_PATHS (the exports
  and the 360Giving package by default), for the whole answer, a streamed one included;
- a Celery job (`jobs.run_job`) whose kind is one of DATABASE_REPLICA_JOB_KINDS
  (`connect_celery_signals`, called by config/celery.py);
- code inside `with replica_reads():`.

Even then the models of DATABASE_REPLICA_EXCLUDED_APPS (people and their roles, sessions,
sign-in throttling, two-factor devices, API tokens, jobs, form tokens and history) are read
from `default`: who is asking and what they may do is never read from a copy that may lag, and
these rows are written and read back within one request, or locked (`select_for_update`),
which a replica refuses.
A replica is a little behind its primary: nothing that decides who may do what, and nothing
written a moment ago, is read from it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)

DEFAULT_EXCLUDED_APPS = (
    "people", "auth", "contenttypes", "sessions", "axes", "otp_totp", "otp_static",
    "django_otp", "authtoken", "jobs", "workflow", "securitylog",
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_from_replica() -> bool:
    return _replica_reads.get() and replica_configured()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside this block (outside the excluded apps) go to the replica, if there is one."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """`default` for every write and migration; `replica` for reads inside `replica_reads`."""

    def db_for_read(self, model, **hints):
        if not reading_from_replica():
            return DEFAULT_DB_ALIAS
        excluded = getattr(settings, "DATABASE_REPLICA_EXCLUDED_APPS", DEFAULT_EXCLUDED_APPS)
        if model._meta.app_label in excluded:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as its primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication


def _replica_path(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    prefixes = getattr(settings, "DATABASE_REPLICA_PATHS", ())
    return any(request.path_info.startswith(prefix) for prefix in prefixes)


def _streamed_in_replica_reads(content):
    """Keep replica reads open while a streamed answer is produced, after the view returned."""
    token = _replica_reads.set(True)
    try:
        yield from content
    finally:
        try:
            _replica_reads.reset(token)
        except ValueError:  # closed from another context: just end the reads there
            _replica_reads.set(False)


class ReplicaReadsMiddleware:
    """Opens replica reads for the GET requests of DATABASE_REPLICA_PATHS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (replica_configured() and _replica_path(request)):
            return self.get_response(request)
        with replica_reads():
            response = self.get_response(request)
        if getattr(response, "streaming", False) and not getattr(response, "is_async", False):
            response.streaming_content = _streamed_in_replica_reads(response.streaming_content)
        return response


# --- background jobs ---------------------------------------------------------------------------
_task_tokens: dict[str, contextvars.Token] = {}


def _job_kind(job_id) -> str:
    from jobs.models import Job

    return Job.objects.using(DEFAULT_DB_ALIAS).filter(pk=job_id).values_list(
        "kind", flat=True).first() or ""


def _job_id(args, kwargs):
    if kwargs and "job_id" in kwargs:
        return kwargs["job_id"]
    return args[0] if args else None


def task_starts(task_id=None, task=None, args=None, kwargs=None, **_):
    """Celery `task_prerun`: a job of a replica kind reads from the replica while it runs."""
    kinds = getattr(settings, "DATABASE_REPLICA_JOB_KINDS", ())
    if not (replica_configured() and kinds and task is not None and task.name == "jobs.run_job"):
        return
    if _job_kind(_job_id(args, kwargs)) in kinds:
        _task_tokens[task_id] = _replica_reads.set(True)


def task_ends(task_id=None, **_):
    """Celery `task_postrun`: back to the primary."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _replica_reads.reset(token)
        except ValueError:
            _replica_reads.set(False)


def connect_celery_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_starts, weak=False, dispatch_uid="replica-reads-start")
    task_postrun.connect(task_ends, weak=False, dispatch_uid="replica-reads-end")
