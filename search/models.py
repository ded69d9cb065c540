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
