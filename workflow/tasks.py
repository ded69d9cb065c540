"""Celery tasks of workflow."""

from celery import shared_task
from django.db import OperationalError

from .one_effect import sweep

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="workflow.sweep_form_tokens", **RETRY)
def sweep_form_tokens() -> dict:
    """Form tokens and Idempotency-Keys older than 24 hours (also `manage.py sweep_form_tokens`)."""
    return sweep()
