"""Learnings as a CSV/XLSX export for fund managers and administrators (export only).

The rows are the library the viewer reads (`learnings_visible_to`), newest first, whatever
their kind: a learning from a failure is exported exactly like one from a success.
"""

from django.db.models import Prefetch
from django.utils import timezone
from import_export import fields, resources

from people.models import User

from .models import Learning
from .selectors import learnings_visible_to


class LearningResource(resources.ModelResource):
    proposal_id = fields.Field(column_name="proposal_id", attribute="proposal_id", readonly=True)
    proposal = fields.Field(column_name="proposal", attribute="proposal__title", readonly=True)
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
            learnings_visible_to(self.viewer)
            .select_related("proposal")
            .prefetch_related(
                Prefetch("authors", User.objects.select_related("agency").order_by(
                    "last_name", "first_name", "pk")),
                "tags",
            )
            .order_by("-published_at", "-id")
        )

    def dehydrate_authors(self, learning) -> str:
        return "; ".join(a.get_full_name() or a.username for a in learning.authors.all())

    def dehydrate_author_agencies(self, learning) -> str:
        return ";".join(sorted({a.agency.code for a in learning.authors.all() if a.agency}))

    def dehydrate_tags(self, learning) -> str:
        return ";".join(sorted(t.name for t in learning.tags.all()))

    def dehydrate_published_at(self, learning) -> str:
        return timezone.localtime(learning.published_at).strftime("%Y-%m-%d %H:%M")
