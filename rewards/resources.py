"""Learnings as a CSV/XLSX export for fund managers and administrators (export only).

The rows are the library the viewer reads (`learnings_visible_to`), newest first, whatever
their kind: a learning from a failure is exported exactly like one from a success. A
learning's proposal is named only where the viewer may see it (a draft's is not).
"""

from django.db.models import Prefetch
from django.utils import timezone
from import_export import fields, resources

from .models import Learning, LearningAuthor
from .selectors import learnings_visible_to, with_proposal_shown


class LearningResource(resources.ModelResource):
    proposal_id = fields.Field(column_name="proposal_id", readonly=True)
    proposal = fields.Field(column_name="proposal", readonly=True)
    authors = fields.Field(column_name="authors", readonly=True)
    author_agencies = fields.Field(column_name="author_agencies", readonly=True)
    tags = fields.Field(column_name="tags", readonly=True)
    published_at = fields.Field(column_name="published_at", readonly=True)

    class Meta:
        model = Learning
        fields = (
            "id", "title", "kind", "visibility", "proposal_id", "proposal", "authors",
            "author_agencies", "tags", "what_we_tried", "what_happened", "what_we_learned",
            "published_at",
        )
        export_order = fields

    def __init__(self, *, viewer=None, **kwargs):
        super().__init__(**kwargs)
        self.viewer = viewer

    def get_queryset(self):
        return (
            with_proposal_shown(learnings_visible_to(self.viewer), self.viewer)
            .select_related("proposal")
            .prefetch_related(
                Prefetch("author_rows", LearningAuthor.objects.accepted()
                         .select_related("user__agency")
                         .order_by("user__last_name", "user__first_name", "user__pk")),
                "tags",
            )
            .order_by("-published_at", "-id")
        )

    @staticmethod
    def _authors(learning) -> list:
        """Accepted authors only, by name (the prefetch orders them)."""
        return [row.user for row in learning.author_rows.all()]

    # The proposal is named only where the viewer may see it (`with_proposal_shown`).
    def dehydrate_proposal_id(self, learning):
        return learning.proposal_id if learning.proposal_shown else ""

    def dehydrate_proposal(self, learning) -> str:
        return learning.proposal.title if learning.proposal_shown else ""

    def dehydrate_authors(self, learning) -> str:
        return "; ".join(a.get_full_name() or a.username for a in self._authors(learning))

    def dehydrate_author_agencies(self, learning) -> str:
        return ";".join(sorted({a.agency.code for a in self._authors(learning) if a.agency}))

    def dehydrate_tags(self, learning) -> str:
        return ";".join(sorted(t.name for t in learning.tags.all()))

    def dehydrate_published_at(self, learning) -> str:
        return timezone.localtime(learning.published_at).strftime("%Y-%m-%d %H:%M")
