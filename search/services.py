"""Similar work found once, when a proposal is submitted (issue 17).

`refresh_similar` finds the earlier submitted proposals and the learnings most like a
proposal, whoever may see them (selectors.find_similar_candidates), and stores them as
search.models.SimilarCandidate rows in place of those it had; the proposal's page and the
screening queue then read those rows and show each viewer only what they may see
(selectors.stored_similar_work, selectors.likely_duplicates).

It runs after a submit transition commits (`on_transition_refresh`, registered in apps.py):
as the Celery task `search.refresh_similar` when there is a broker, in-process when the
broker cannot take it (and in-process always without a broker: CELERY_TASK_ALWAYS_EAGER).
A submit from a requested revision runs it again, so edited titles and summaries count.
`manage.py refresh_similar` fills it for proposals submitted before this existed.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from proposals.models import Proposal
from workflow.models import TransitionLog

from .models import SimilarCandidate
from .selectors import find_similar_candidates

logger = logging.getLogger(__name__)

# Transitions after which a proposal's texts are final for a while: its similar work is found.
REFRESH_AFTER = ("submit",)


def refresh_similar(*, proposal_id: int) -> int:
    """Find and store the similar work of proposal `proposal_id`; the number of rows stored.
    A proposal that no longer exists, or was never submitted, stores nothing (0). Its old
    rows are replaced in one transaction. At most seven queries to find, three to store."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    found = find_similar_candidates(proposal)
    rows = [SimilarCandidate(source_id=proposal.pk, proposal_id=hit.obj.pk, score=hit.score,
                             rank=hit.rank) for hit in found.proposals]
    rows += [SimilarCandidate(source_id=proposal.pk, learning_id=hit.obj.pk, score=hit.score,
                              rank=hit.rank) for hit in found.learnings]
    with transaction.atomic():
        SimilarCandidate.objects.filter(source_id=proposal.pk).delete()
        SimilarCandidate.objects.bulk_create(rows)
    return len(rows)


def enqueue_refresh(proposal_id: int) -> None:
    """Send the task; if the broker cannot take it, log it and find the similar work here.
    Never raises: this runs after the submission committed, which must stand."""
    from . import tasks

    try:
        tasks.refresh_similar.delay(proposal_id=proposal_id)
    except Exception:
        logger.exception("Could not enqueue search.refresh_similar(%s); finding it in-process",
                         proposal_id)
        try:
            refresh_similar(proposal_id=proposal_id)
        except Exception:
            logger.exception("Finding similar work failed for proposal %s", proposal_id)


def on_transition_refresh(log: TransitionLog) -> None:
    """The `workflow.services.on_transition` listener: after a proposal's submit commits."""
    if log.transition not in REFRESH_AFTER:
        return
    if log.content_type_id != ContentType.objects.get_for_model(Proposal).pk:  # cached
        return
    proposal_id = log.object_id
    transaction.on_commit(lambda: enqueue_refresh(int(proposal_id)), robust=True)
