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
    managed = (Q(panel__chair=user) | Q(panel__deputy_chair=user)
               | Q(proposal__stand_in_chairs__chair=user)) if not user.is_fund_manager else Q()
    visible |= managed & ~conflict_q(user, "proposal__")
    qs = _assignment_list_qs().filter(pk__in=Assignment.objects.filter(visible).values("pk"))
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
    return qs.filter(
        pk__in=Panel.objects.filter(
            Q(chair=user) | Q(deputy_chair=user) | Q(members=user) | Q(stand_ins__chair=user)
        ).values("pk")
    )


def panel_assignments(*, panel: Panel, viewer) -> QuerySet[Assignment]:
    return assignments_visible_to(viewer).filter(panel=panel).order_by(
        "proposal__title", "proposal_id", "reviewer__last_name", "id"
    )


def ranking_round_or_none(user, pk: int):
    """The round whose ranking `user` asks for, when they may know it exists: every round but
    drafts; a draft for fund managers and the chairs of its panels. None otherwise, so a round
    the user may not see is answered like one that does not exist (404, not 403)."""
    from fund.models import Round
    from fund.selectors import can_view_round

    from .permissions import can_view_ranking

    round_ = Round.objects.select_related("fund").filter(pk=pk).first()
    if round_ is None or not (can_view_round(user, round_) or can_view_ranking(user, round_)):
        return None
    return round_


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
    """The ranking as rows for pages, the API and the portfolio report, shaped for `viewer`.

    Scores are hidden where the viewer has not yet submitted their own review of the proposal
    (blind review) and from viewers who never see scores. A proposal the viewer has a conflict
    with is not ranked for them at all: its row (title and state only: no rank, amount,
    review count or scores) comes after the ranked rows, in title order, and the ranked rows
    are numbered without it, so no gap tells where it stood. Such a viewer sees no running
    totals and no funding line either (`totals_shown` False on every row): a jump in the
    running total would show the hidden proposal's place and amount. Every other row is
    marked above or below the round's funding line."""
    ranked, apart = [], []
    budget = round_.budget
    scores_shown = viewer is None or sees_scores(viewer)
    for proposal in round_ranking(round_=round_, viewer=viewer):
        if getattr(proposal, "conflicted", False):
            apart.append(_conflicted_row(proposal))
            continue
        pending = bool(getattr(proposal, "review_pending", False))
        hidden = pending or not scores_shown
        spread = None
        if proposal.high_score is not None and proposal.low_score is not None:
            spread = Decimal(proposal.high_score) - Decimal(proposal.low_score)
        mean = proposal.mean_score
        contending = proposal.state in CONTENDING_STATES
        cumulative = Decimal(proposal.cumulative_requested or 0)
        agency = proposal.lead.agency
        ranked.append({
            "rank": proposal.rank,
            "proposal": proposal,
            "lead_agency": agency.code if agency is not None else None,
            "requested_amount": proposal.requested_amount,
            "mean_weighted_score": None if hidden or mean is None
            else Decimal(mean).quantize(Decimal("0.01")),
            "review_count": proposal.review_count,
            "spread": None if hidden or spread is None else spread.quantize(Decimal("0.01")),
            "disagreement": (not hidden) and spread is not None and spread >= DISAGREEMENT_SPREAD,
            "cumulative_requested": cumulative,
            "contending": contending,
            "above_funding_line": contending and cumulative <= budget,
            "conflict": False,
            "review_pending": pending,
            "scores_hidden": hidden,
        })
    totals_shown = not apart
    line_drawn = False
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position  # the official order, numbered without the rows set apart
        row["totals_shown"] = totals_shown
        if not totals_shown:
            row.update(cumulative_requested=None, above_funding_line=None,
                       funding_line_before=False)
            continue
        # the line sits before the first contending row past the budget
        row["funding_line_before"] = (
            not line_drawn and row["contending"] and not row["above_funding_line"]
        )
        line_drawn = line_drawn or row["funding_line_before"]
    apart.sort(key=lambda row: (row["proposal"].title.casefold(), row["proposal"].pk))
    return ranked + apart


def _conflicted_row(proposal: Proposal) -> dict:
    """A proposal the viewer has a conflict with: its title and state, nothing of its review
    or of its place in the ranking."""
    return {
        "rank": None, "proposal": proposal, "lead_agency": None, "requested_amount": None,
        "mean_weighted_score": None, "review_count": None, "spread": None,
        "disagreement": False, "cumulative_requested": None, "contending": False,
        "above_funding_line": None, "conflict": True, "review_pending": False,
        "scores_hidden": True, "funding_line_before": False, "totals_shown": False,
    }


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


def proposals_awaiting_decision(*, chair) -> list[Proposal]:
    """In review, quorum reached, and `chair` its acting chair: theirs to decide (oldest
    submitted first). Never a proposal they have a conflict with."""
    from .chairs import proposals_where_acting_chair

    found = []
    for p in proposals_where_acting_chair(chair, states=(Proposal.State.IN_REVIEW,)):
        p.submitted_reviews = sum(1 for a in p.assignments.all()
                                  if a.state == Assignment.State.SUBMITTED)
        if p.submitted_reviews >= p.round.reviews_required:
            found.append(p)
    return found


def proposals_short_of_reviewers(*, chair) -> list[Proposal]:
    """In review, fewer active reviewers than the round requires, and `chair` its acting
    chair."""
    from .chairs import ACTIVE_ASSIGNMENT, proposals_where_acting_chair

    found = []
    for p in proposals_where_acting_chair(chair, states=(Proposal.State.IN_REVIEW,)):
        p.active_reviewers = sum(1 for a in p.assignments.all() if a.state in ACTIVE_ASSIGNMENT)
        if p.active_reviewers < p.round.reviews_required:
            found.append(p)
    return found
