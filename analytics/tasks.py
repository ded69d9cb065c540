from celery import shared_task
from django.db import OperationalError

from .refresh import refresh_stored_figures


@shared_task(
    name="analytics.refresh_stored_figures",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def refresh_stored_figures_task() -> int:
    """Every ANALYTICS_REFRESH_MINUTES (the beat schedule): each figure without filters."""
    return refresh_stored_figures()
