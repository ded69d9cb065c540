"""Celery tasks of the fund: rounds close by themselves at `closes_at`."""

import logging

from celery import shared_task
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from workflow.services import TransitionStateConflict

from .models import Round
from .services import round_close

logger = logging.getLogger(__name__)

AUTO_CLOSE_NOTE = "Closed automatically at the round's closing time."


def rounds_due_to_close(*, now=None) -> QuerySet[Round]:
    """Open rounds whose closing time has come."""
    return Round.objects.filter(state=Round.State.OPEN, closes_at__lte=now or timezone.now())


def close_due_rounds(*, now=None) -> list[Round]:
    """Close every open round past `closes_at`, as the system; safe to run twice or at once
    on two workers (each round is re-read under a lock and closed only if still due)."""
    now = now or timezone.now()
    closed = []
    for pk in rounds_due_to_close(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            round_ = rounds_due_to_close(now=now).select_for_update().filter(pk=pk).first()
            if round_ is None:
                continue
            try:
                round_close(round_=round_, actor=None, note=AUTO_CLOSE_NOTE, system=True)
            except TransitionStateConflict:
                continue
        logger.info("Round %s (%s) closed at its closing time", round_.pk, round_)
        closed.append(round_)
    return closed


@shared_task(name="fund.close_due_rounds", autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=5)
def close_due_rounds_task() -> list[int]:
    return [r.pk for r in close_due_rounds()]
