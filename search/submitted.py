"""After a proposal's submission commits, its similar work is found off the request: the
listener on the submit transition and the task's sending (apart from `services`, which the
task calls, so the two do not import each other)."""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from proposals.models import Proposal
from workflow.models import TransitionLog

from . import services, tasks

logger = logging.getLogger(__name__)


def enqueue_refresh(proposal_id: int) -> None:
    """Send the task; if the broker cannot take it, log it and find the similar work here.
    Never raises: this runs after the submission committed, which must stand."""
    try:
        tasks.refresh_similar.delay(proposal_id=proposal_id)
    except Exception:
        logger.exception("Could not enqueue search.refresh_similar(%s); finding it in-process",
                         proposal_id)
        try:
            services.refresh_similar(proposal_id=proposal_id)
        except Exception:
            logger.exception("Finding similar work failed for proposal %s", proposal_id)


def on_transition_refresh(log: TransitionLog) -> None:
    """The `workflow.services.on_transition` listener: after a proposal's submit commits."""
    if log.transition not in services.REFRESH_AFTER:
        return
    if log.content_type_id != ContentType.objects.get_for_model(Proposal).pk:  # cached
        return
    proposal_id = log.object_id
    transaction.on_commit(lambda: enqueue_refresh(int(proposal_id)), robust=True)
