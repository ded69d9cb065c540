"""Celery tasks of reviews: the nightly check of the stored acting chairs."""

import logging

from celery import shared_task
from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)


def reconcile_acting_chairs() -> list[int]:
    """Recompute the stored acting chair (ProposalActingChair) of every proposal in a panel's
    states from the rule and correct those that differ: a safety net under the signals and
    services that keep it (reviews/services/acting_chairs.py). Logs how many differed (a
    warning: each is a channel that changed an input of the rule without telling the store,
    or two changes made at the same moment). Returns their ids."""
    from .chairs import reconcile_acting_chairs as reconcile

    with transaction.atomic():
        stale = reconcile()
    if stale:
        logger.warning("Acting chairs: %d stored row(s) differed from the rule and were "
                       "corrected (proposals %s)", len(stale),
                       ", ".join(str(pk) for pk in stale[:50]) + (" ..." if len(stale) > 50
                                                                  else ""))
    else:
        logger.info("Acting chairs: every stored row agrees with the rule")
    return stale


@shared_task(name="reviews.reconcile_acting_chairs", autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def reconcile_acting_chairs_task() -> int:
    return len(reconcile_acting_chairs())
