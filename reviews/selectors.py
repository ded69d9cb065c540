"""Read side of reviews: lists apply the same rules as the permission functions."""

from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from proposals.conflicts import conflict_q
from proposals.models import Proposal

from .models import Assignment, Panel, Review, Score
from .permissions import ReviewAccess, review_access, sees_scores

# A spread of this many points (of 100) between a proposal's highest and lowest weighted
# score is flagged as strong disagreement for the panel to discuss.
DISAGREEMENT_SPREAD = Decimal("25.00")

# Proposals that were sent to review appear in the ranking.
RANKED_STATES = (
    Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED,
    Proposal.State.REJECTED, Proposal.State.FUNDED, Proposal.State.DECLINED,
    Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)
# Those still drawing on the round's budget count towards the funding line.
CONTENDING_STATES = (
    Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED,
    Proposal.State.FUNDED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_SCORE = DecimalField(max_digits=5, decimal_places=2)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _assignment_list_qs() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "proposal__round", "proposal__lead__agency", "panel", "reviewer__agency"
    )


def assignments_for_reviewer(*, user, filters: dict | None = None) -> QuerySet[Assignment]:
    """A reviewer's own assignments, due nearest first (open ones before finished ones)."""
    if not _active(user):
        return Assignment.objects.none()
    qs = _assignment_list_qs().filter(reviewer=user)
    if (filters or {}).get("state"):
        qs = qs.filter(state=filters["state"])
    return qs.annotate(
        open_first=Case(When(state=Assignment.State.ASSIGNED, then=Value(0)), default=Value(1))
    ).order_by("open_first", "due_on", "id")


def assignments_visible_to(user, filters: dict | None = None) -> QuerySet[Assignment]:
    """Own assignments; a chair's: those of the panels they chair; a fund manager's: all.
    Never those on proposals the user has a conflict with, other than their own."""
    if not _active(user):
        return Assignment.objects.none()
    filters = filters or {}
    visible = Q(reviewer=user)
    managed = Q(panel__chair=user) if not user.is_fund_manager else Q()
    visible |= managed & ~conflict_q(user, "proposal__")
    qs = _assignment_list_qs().filter(visible)
    for name in ("state", "panel", "proposal", "reviewer"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("round"):
        qs = qs.filter(proposal__round=filters["round"])
    return qs.order_by("due_on", "id")


def panels_visible_to(user) -> QuerySet[Panel]:
    """Fund managers see every panel; others the panels they chair or sit on."""
    if not _active(user):
        return Panel.objects.none()
    qs = Panel.objects.select_related("round", "chair__agency").prefetch_related(
        "members__agency"
    )
    if user.is_fund_manager:
        return qs
    return qs.filter(Q(chair=user) | Q(members=user)).distinct()


def panel_assignments(*, panel: Panel, viewer) -> QuerySet[Assignment]:
    return assignments_visible_to(viewer).filter(panel=panel).order_by(
        "proposal__title", "proposal_id", "reviewer__last_name", "id"
    )


def round_ranking(*, round_, viewer=None) -> QuerySet[Proposal]:
    """The round's proposals by mean weighted score (submitted reviews only), with review
    count, spread and the running total of requested amounts, all computed by the database.
    `conflicted` marks rows where the viewer has a conflict of interest, `review_pending` rows
    where the viewer's own assignment is still open: the viewer may not see their scores."""
    submitted = Q(assignments__state=Assignment.State.SUBMITTED)
    score = "assignments__review__weighted_score"
    order = [F("mean_score").desc(nulls_last=True), F("requested_amount").asc(), F("id").asc()]
    contending = Case(
        When(state__in=CONTENDING_STATES, then=Coalesce("requested_amount", Value(Decimal(0)))),
        default=Value(Decimal(0)), output_field=_MONEY,
    )
    qs = (
        Proposal.objects.filter(round=round_, state__in=RANKED_STATES)
        .select_related("lead__agency")
        .annotate(
            mean_score=Avg(score, filter=submitted, output_field=_SCORE),
            review_count=Count("assignments", filter=submitted),
            high_score=Max(score, filter=submitted),
            low_score=Min(score, filter=submitted),
        )
        .annotate(
            cumulative_requested=Window(Sum(contending), order_by=order),
            rank=Window(expression=_row_number(), order_by=order),
        )
        .order_by(*order)
    )
    if _active(viewer):
        open_own = Assignment.objects.filter(
            proposal=OuterRef("pk"), reviewer=viewer, state=Assignment.State.ASSIGNED
        )
        qs = qs.annotate(
            conflicted=ExpressionWrapper(conflict_q(viewer), output_field=BooleanField()),
            review_pending=Exists(open_own),
        )
    return qs


def _row_number():
    from django.db.models.functions import RowNumber

    return RowNumber()


def ranking_rows(*, round_, viewer=None) -> list[dict]:
    """The ranking as rows for pages, the API and the portfolio report: scores hidden where
    the viewer has a conflict, or has not yet submitted their own review of the proposal
    (blind review), and from viewers who never see scores; each row marked above or below
    the round's funding line."""
    rows = []
    budget = round_.budget
    scores_shown = viewer is None or sees_scores(viewer)
    for proposal in round_ranking(round_=round_, viewer=viewer):
        conflict = bool(getattr(proposal, "conflicted", False))
        pending = not conflict and bool(getattr(proposal, "review_pending", False))
        hidden = conflict or pending or not scores_shown
        spread = None
        if proposal.high_score is not None and proposal.low_score is not None:
            spread = Decimal(proposal.high_score) - Decimal(proposal.low_score)
        mean = proposal.mean_score
        contending = proposal.state in CONTENDING_STATES
        cumulative = Decimal(proposal.cumulative_requested or 0)
        rows.append({
            "rank": proposal.rank,
            "proposal": proposal,
            "mean_weighted_score": None if hidden or mean is None
            else Decimal(mean).quantize(Decimal("0.01")),
            "review_count": proposal.review_count,
            "spread": None if hidden or spread is None else spread.quantize(Decimal("0.01")),
            "disagreement": (not hidden) and spread is not None and spread >= DISAGREEMENT_SPREAD,
            "cumulative_requested": cumulative,
            "contending": contending,
            "above_funding_line": contending and cumulative <= budget,
            "conflict": conflict,
            "review_pending": pending,
            "scores_hidden": hidden,
        })
    line_drawn = False
    for row in rows:  # the line sits before the first contending row past the budget
        row["funding_line_before"] = (
            not line_drawn and row["contending"] and not row["above_funding_line"]
        )
        line_drawn = line_drawn or row["funding_line_before"]
    return rows


def reviews_for_viewer(*, proposal: Proposal, viewer) -> tuple[ReviewAccess, list[Review]]:
    """The reviews of a proposal `viewer` may read, and how much of each (see review_access)."""
    access = review_access(viewer, proposal)
    if access == ReviewAccess.NONE:
        return access, []
    qs = (
        Review.objects.filter(assignment__proposal=proposal)
        .select_related("assignment__reviewer__agency")
        .prefetch_related(Prefetch("scores", Score.objects.select_related("criterion")))
        .order_by("assignment__id")
    )
    if access == ReviewAccess.OWN:
        qs = qs.filter(assignment__reviewer=viewer)
    else:
        qs = qs.filter(assignment__state=Assignment.State.SUBMITTED)
    return access, list(qs)


def proposals_awaiting_decision(*, chair) -> QuerySet[Proposal]:
    """In review in a round the user chairs, with quorum reached: the chair's to decide."""
    if not _active(chair):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(state=Proposal.State.IN_REVIEW, round__panels__chair=chair)
        .exclude(conflict_q(chair))
        .annotate(submitted_reviews=Count(
            "assignments", filter=Q(assignments__state=Assignment.State.SUBMITTED), distinct=True
        ))
        .filter(submitted_reviews__gte=F("round__reviews_required"))
        .select_related("round").distinct()
    )


def proposals_short_of_reviewers(*, chair) -> QuerySet[Proposal]:
    if not _active(chair):
        return Proposal.objects.none()
    active = Q(assignments__state__in=[Assignment.State.ASSIGNED, Assignment.State.SUBMITTED])
    return (
        Proposal.objects.filter(state=Proposal.State.IN_REVIEW, round__panels__chair=chair)
        .exclude(conflict_q(chair))
        .annotate(active_reviewers=Count("assignments", filter=active, distinct=True))
        .filter(active_reviewers__lt=F("round__reviews_required"))
        .select_related("round").distinct()
    )
