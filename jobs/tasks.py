"""Celery tasks of jobs: each fetches by id and calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import running

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="jobs.run_job", **RETRY)
def run_job(job_id: int) -> str:
    job = running.run_job(job_id=job_id)
    return job.state if job is not None else "nothing to do"


@shared_task(name="jobs.run_pending_jobs", **RETRY)
def run_pending_jobs() -> dict:
    return running.run_pending_jobs()
