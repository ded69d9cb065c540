"""The summary the panel's decision rests on (SCREENS.md, panel chair: "decide with
rationale"): how many reviews count, their mean weighted score and spread, and the scores per
criterion side by side per reviewer.

Only submitted reviews count; a review whose assignment was flagged for a conflict of
interest stays stored as evidence but never counts (DOMAIN.md, reviews/): it is left out of
every figure and only its number is told. The spread is the same as the round ranking's:
highest minus lowest weighted score (0-100 points). Figures come from the database in a fixed
number of queries whatever the number of reviews; the caller checks the viewer may read the
panel's view of the reviews (`permissions.review_access` is PANEL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Max, Min, Q
from django.utils.translation import gettext

from ..models import Assignment, Criterion, Review, Score

HUNDREDTH = Decimal("0.01")
COUNTED = Q(assignment__state=Assignment.State.SUBMITTED)
FLAGGED = Q(assignment__state=Assignment.State.CONFLICT, submitted_at__isnull=False)


def _two_places(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass
class ReviewerColumn:
    """One counted review, as a column of the side-by-side table."""

    label: str  # "Reviewer 1", in the order the reviews were assigned
    name: str
    agency: str
    weighted_score: Decimal | None
    recommendation: str


@dataclass
class CriterionRow:
    criterion: Criterion
    values: list[int | None]  # one per column, None where the review has no such score
    mean: Decimal | None


@dataclass
class ReviewSummary:
    count: int
    required: int
    flagged: int
    mean: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None
    columns: list[ReviewerColumn] = field(default_factory=list)
    rows: list[CriterionRow] = field(default_factory=list)
    recommendations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def spread(self) -> Decimal | None:
        if self.lowest is None or self.highest is None:
            return None
        return self.highest - self.lowest

    @property
    def quorum_met(self) -> bool:
        return self.count >= self.required


def review_summary(*, proposal) -> ReviewSummary:
    """The counted reviews of `proposal` summarised: 5 queries, whatever their number."""
    figures = Review.objects.filter(assignment__proposal=proposal).aggregate(
        count=Count("id", filter=COUNTED),
        flagged=Count("id", filter=FLAGGED),
        mean=Avg("weighted_score", filter=COUNTED),
        lowest=Min("weighted_score", filter=COUNTED),
        highest=Max("weighted_score", filter=COUNTED),
    )
    reviews = list(
        Review.objects.filter(COUNTED, assignment__proposal=proposal)
        .select_related("assignment__reviewer__agency")
        .order_by("assignment__id")
    )
    criteria = list(proposal.round.criteria.all())
    means = {
        row["criterion_id"]: row["mean"]
        for row in Score.objects.filter(review__assignment__proposal=proposal,
                                        review__assignment__state=Assignment.State.SUBMITTED)
        .values("criterion_id").annotate(mean=Avg("value"))
    }
    values: dict[tuple[int, int], int] = dict(
        ((review_id, criterion_id), value) for review_id, criterion_id, value in
        Score.objects.filter(review__in=[r.pk for r in reviews])
        .values_list("review_id", "criterion_id", "value")
    ) if reviews else {}
    columns = []
    for number, review in enumerate(reviews, start=1):
        reviewer = review.assignment.reviewer
        columns.append(ReviewerColumn(
            label=gettext("Reviewer %(number)s") % {"number": number}, name=str(reviewer),
            agency=reviewer.agency.code if reviewer.agency_id else "",
            weighted_score=review.weighted_score,
            recommendation=review.get_recommendation_display(),
        ))
    rows = [
        CriterionRow(criterion=c, values=[values.get((r.pk, c.pk)) for r in reviews],
                     mean=_two_places(means.get(c.pk)))
        for c in criteria
    ]
    tally = {label: 0 for _, label in Review.Recommendation.choices}
    for review in reviews:
        tally[review.get_recommendation_display()] = tally.get(
            review.get_recommendation_display(), 0) + 1
    return ReviewSummary(
        count=figures["count"], required=proposal.round.reviews_required,
        flagged=figures["flagged"], mean=_two_places(figures["mean"]),
        lowest=_two_places(figures["lowest"]), highest=_two_places(figures["highest"]),
        columns=columns, rows=rows,
        recommendations=[(label, n) for label, n in tally.items() if n],
    )
