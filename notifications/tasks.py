"""Celery tasks of notifications: each fetches by id and calls one service."""

from celery import shared_task
from django.db import OperationalError, connection

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="notifications.notify_transition", **RETRY)
def notify_transition(log_id: int, email: bool = True) -> int:
    return services.notify_transition(log_id=log_id, email=email)


@shared_task(name="notifications.notify_event", **RETRY)
def notify_event(label: str, pk: int, event: str, email: bool = True) -> int:
    return services.notify_event(label=label, pk=pk, event=event, email=email)


@shared_task(name="notifications.send_reminders", **RETRY)
def send_reminders() -> dict:
    return services.send_reminders()


@shared_task(name="notifications.resend_notifications", **RETRY)
def resend_notifications() -> int:
    return services.resend_notifications()


@shared_task(name="notifications.database_name", ignore_result=False)
def database_name() -> str:
    """Which database this worker writes to (the CI worker test checks it is its own)."""
    return connection.settings_dict["NAME"]
