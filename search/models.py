"""The search index's stored documents on PostgreSQL (search/index.py keeps them current).

One row per proposal and per learning: a weighted `tsvector` (title A, summary or lesson B,
the rest C), written by database triggers whenever the texts change and read through a GIN
index. The tables exist on SQLite too but stay empty there: SQLite searches its FTS5 tables
(search/index.py). They are models so that a test database's flush empties them with the rest.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ProposalDocument(models.Model):
    # No database constraint: the triggers write and delete these rows (search/index.py); the
    # relation lets a query join a proposal to its document and rank in the join.
    proposal = models.OneToOneField(
        "proposals.Proposal", primary_key=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="search_document")
    document = SearchVectorField()

    class Meta:
        db_table = "search_proposal_document"

    def __str__(self) -> str:
        return f"Search document of proposal {self.proposal_id}"


class LearningDocument(models.Model):
    learning = models.OneToOneField(
        "rewards.Learning", primary_key=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="search_document")
    document = SearchVectorField()

    class Meta:
        db_table = "search_learning_document"

    def __str__(self) -> str:
        return f"Search document of learning {self.learning_id}"


class SimilarCandidate(models.Model):
    """An earlier proposal or learning found like a submitted proposal, found once when the
    proposal is submitted (search/services.py `refresh_similar`, run by the task
    `search.refresh_similar` after the submit transition commits), so that its page and the
    screening queue read a few stored rows instead of searching at every view.

    Found among everything that was submitted (never drafts) and every learning, whoever may
    see it: who may see a candidate is decided when it is shown (search/selectors.py
    `stored_similar_work`, `likely_duplicates`), never here. Exactly one of `proposal` and
    `learning` is set. `score` is selectors.text_score (0..1, the same on both databases);
    `rank` the order they are shown in (higher first).
    """

    source = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE,
                               related_name="similar_candidates")
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    learning = models.ForeignKey("rewards.Learning", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.FloatField()
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(proposal__isnull=False, learning__isnull=True)
                           | models.Q(proposal__isnull=True, learning__isnull=False)),
                name="search_candidate_proposal_xor_learning"),
        ]
        indexes = [models.Index(fields=["source", "-rank"], name="search_candidate_rank")]

    def __str__(self) -> str:
        other = f"proposal {self.proposal_id}" if self.proposal_id else f"learning {self.learning_id}"
        return f"Proposal {self.source_id} is like {other} ({self.score:.2f})"
