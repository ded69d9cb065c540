"""Celery tasks of search: each fetches by id and calls one service."""

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="search.refresh_similar", **RETRY)
def refresh_similar(proposal_id: int) -> int:
    return services.refresh_similar(proposal_id=proposal_id)
