"""Reviews as a CSV/XLSX export for fund managers and administrators (export only).

Only submitted reviews, only of proposals the viewer may see, never of a proposal the
viewer has a conflict of interest with (a role never widens access across a conflict).
`comment_to_panel` never leaves in a file: it is confidential to the panel, and a file
travels beyond the per-proposal checks of the pages. With `without_reviewer_names`,
the reviewer's name and agency are left out (the agency alone can name someone on a
small panel).
"""

from django.db.models import Min, OuterRef, Prefetch, Subquery
from django.utils import timezone
from import_export import fields, resources

from proposals.conflicts import conflict_q
from proposals.resources import exportable_proposals

from .models import Assignment, Criterion, Review, Score

SCORE_PREFIX = "score: "


class ReviewResource(resources.ModelResource):
    proposal_id = fields.Field(column_name="proposal_id", attribute="assignment__proposal_id",
                               readonly=True)
    proposal = fields.Field(column_name="proposal", attribute="assignment__proposal__title",
                            readonly=True)
    round = fields.Field(column_name="round", attribute="assignment__proposal__round__title",
                         readonly=True)
    reviewer = fields.Field(column_name="reviewer", readonly=True)
    reviewer_agency = fields.Field(column_name="reviewer_agency",
                                   attribute="assignment__reviewer__agency__code", readonly=True)
    weighted_score = fields.Field(column_name="weighted_score", readonly=True)
    submitted_at = fields.Field(column_name="submitted_at", readonly=True)

    NAMES = ("reviewer", "reviewer_agency")
    BEFORE_SCORES = ("proposal_id", "proposal", "round", "reviewer", "reviewer_agency",
                     "recommendation", "weighted_score")
    AFTER_SCORES = ("comment_to_applicant", "submitted_at")

    class Meta:
        model = Review
        fields = ("proposal_id", "proposal", "round", "reviewer", "reviewer_agency",
                  "recommendation", "weighted_score", "comment_to_applicant", "submitted_at")
        export_order = fields

    def __init__(self, *, viewer=None, without_reviewer_names: bool = False, round=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.viewer, self.round_id = viewer, round
        self.without_reviewer_names = without_reviewer_names
        if without_reviewer_names:
            for name in self.NAMES:
                self.fields.pop(name)
        self.criteria: list[str] = []

    def get_queryset(self):
        qs = (
            Review.objects.filter(
                assignment__state=Assignment.State.SUBMITTED,
                assignment__proposal__in=exportable_proposals(self.viewer).values("pk"),
            )
            .exclude(conflict_q(self.viewer, "assignment__proposal__"))
            .select_related("assignment__proposal__round", "assignment__reviewer__agency")
            .prefetch_related(Prefetch("scores", Score.objects.select_related("criterion")))
            .order_by("assignment__proposal__round_id", "assignment__proposal_id",
                      "assignment_id")
        )
        return qs.filter(assignment__proposal__round_id=self.round_id) if self.round_id else qs

    # One column per criterion name of the exported rounds, in rubric order: rounds may
    # differ, so the columns are known only once the rows are (one query, before any row).
    def before_export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        names = (
            Criterion.objects.filter(scores__review__in=queryset.values("pk"))
            .values("name").annotate(first=Min("position")).order_by("first", "name")
        )
        self.criteria = [row["name"] for row in names]
        for name in self.criteria:
            self.fields[SCORE_PREFIX + name] = fields.Field(
                column_name=SCORE_PREFIX + name, readonly=True,
                dehydrate_method=lambda review, name=name: self._score(review, name),
            )
        super().before_export(queryset, **kwargs)

    def get_export_order(self):
        order = [*self.BEFORE_SCORES, *(SCORE_PREFIX + n for n in self.criteria),
                 *self.AFTER_SCORES]
        return tuple(name for name in order if name in self.fields)

    def export_queryset(self, queryset):
        """The rows for a streamed export: each criterion's score a subquery of the row (in
        the order `_score` reads them), so that the rows are one query with no prefetch."""
        self._score_keys = {name: f"_score_{i}" for i, name in enumerate(self.criteria)}
        return queryset.prefetch_related(None).annotate(**{
            key: Subquery(Score.objects.filter(review=OuterRef("pk"), criterion__name=name)
                          .order_by("criterion__position", "criterion_id").values("value")[:1])
            for name, key in self._score_keys.items()
        })

    def _score(self, review, name: str):
        key = getattr(self, "_score_keys", {}).get(name)
        if key and hasattr(review, key):
            value = getattr(review, key)
            return "" if value is None else value
        return next((s.value for s in review.scores.all() if s.criterion.name == name), "")

    def dehydrate_reviewer(self, review) -> str:
        reviewer = review.assignment.reviewer
        return reviewer.get_full_name() or reviewer.username

    def dehydrate_weighted_score(self, review):
        return review.weighted_score if review.weighted_score is not None else ""

    def dehydrate_submitted_at(self, review) -> str:
        if review.submitted_at is None:
            return ""
        return timezone.localtime(review.submitted_at).strftime("%Y-%m-%d %H:%M")
