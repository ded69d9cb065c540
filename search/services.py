"""Similar work found once, when a proposal is submitted (issue 17).

`refresh_similar` finds the earlier submitted proposals and the learnings most like a
proposal, whoever may see them (selectors.find_similar_candidates), and stores them as
search.models.SimilarCandidate rows in place of those it had; the proposal's page and the
screening queue then read those rows and show each viewer only what they may see
(selectors.stored_similar_work, selectors.likely_duplicates).

It runs after a submit transition commits (`search.submitted.on_transition_refresh`,
registered in apps.py):
as the Celery task `search.refresh_similar` when there is a broker, in-process when the
broker cannot take it (and in-process always without a broker: CELERY_TASK_ALWAYS_EAGER).
A submit from a requested revision runs it again, so edited titles and summaries count.
`manage.py refresh_similar` fills it for proposals submitted before this existed.
"""

import logging

from django.db import transaction

from proposals.models import Proposal

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
