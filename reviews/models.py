"""Review panels, assignments, rubric criteria, reviews and their scores (DOMAIN.md, reviews/)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from fund.money import MONEY
from workflow.bounds import LongTextField
from workflow.services import rule

DEFAULT_RUBRIC = [
    ("Public value", "How much the experiment could improve services or outcomes for citizens."),
    ("Novelty", "How new the idea is for the civil service, and what it would add to what we know."),
    ("Feasibility and cost", "Whether the plan, team and budget can run the experiment well."),
    ("Cross-agency collaboration", "How agencies work together and share the work and the benefit."),
    ("Citizen co-creation", "How citizens shape, test and judge the experiment."),
    ("Learning potential", "Whether success or failure will teach something others can use."),
]


class Criterion(models.Model):
    """One line of a round's rubric: scored 1..max_score, counted with its weight."""

    round = models.ForeignKey("fund.Round", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    description = LongTextField(blank=True)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_score = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_score_min"),
        ]

    def __str__(self) -> str:
        return self.name


class Panel(models.Model):
    """Reviewers for a round, from at least `round.min_panel_agencies` agencies, and a chair."""

    round = models.ForeignKey("fund.Round", on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panels_chaired"
    )
    deputy_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panels_deputised",
        null=True, blank=True,
        help_text=_("Acts for the chair on proposals the chair has a conflict with; from another "
                    "agency than the chair's."),
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="panels", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "name", "id"]

    def __str__(self) -> str:
        return self.name


class PanelStandIn(models.Model):
    """A panel member named by a fund manager to act as chair for one proposal, when neither
    the chair nor the deputy chair is free of conflict with it (DOMAIN.md, reviews/).
    Kept as evidence: a stand-in who later becomes conflicted simply stops acting."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="stand_ins")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="stand_in_chairs"
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stand_in_duties"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-named_at", "-id"]
        indexes = [models.Index(fields=["proposal", "named_at"])]

    def __str__(self) -> str:
        return f"{self.chair} stands in as chair for {self.proposal}"


def _is_assigned_reviewer(assignment, user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and assignment.reviewer_id == user.pk
    )


@rule()
def _proposal_in_review(assignment):
    proposal = assignment.proposal
    if proposal.state != proposal.State.IN_REVIEW:
        return (
            f"“{proposal.title}” is {proposal.get_state_display().lower()}, no longer in review."
        )
    return None


@rule()
def _reviewer_unconflicted(assignment):
    from proposals.conflicts import conflict_reason

    return conflict_reason(assignment.reviewer, assignment.proposal)


@rule("scores")
def _review_complete(assignment):
    review = Review.objects.filter(assignment=assignment).first()
    if review is None:
        return "Score every criterion and save the review before submitting it."
    scored = set(review.scores.values_list("criterion_id", flat=True))
    missing = [c.name for c in assignment.proposal.round.criteria.all() if c.pk not in scored]
    if missing:
        return f"Score every criterion before submitting; missing: {', '.join(missing)}."
    if not review.recommendation:
        return "Choose a recommendation before submitting."
    return None


class Assignment(FSMModelMixin, models.Model):
    """A panel member asked to review one proposal by a due date."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Review submitted")
        CONFLICT = "conflict", _("Conflict declared")

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="assignments")
    due_on = models.DateField()
    conflict_reason = LongTextField(blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    state = FSMField(default=State.ASSIGNED, choices=State.choices, protected=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="one_assignment_per_reviewer"
            )
        ]
        indexes = [
            models.Index(fields=["reviewer", "state", "due_on"]),
            # The API list's ordering and keyset (due_on, id).
            models.Index(fields=["due_on", "id"], name="assignment_due"),
            # The reviews flagged as conflicts (analytics.stored.conflicts_stamp, asked on every
            # Reviewing figure): a few rows, read without scanning every assignment.
            models.Index(fields=["id"], condition=models.Q(state="conflict"),
                         name="assignment_conflicts"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.proposal}"

    @transition(
        field=state, source=State.ASSIGNED, target=State.SUBMITTED,
        conditions=[_proposal_in_review, _reviewer_unconflicted, _review_complete],
        permission=_is_assigned_reviewer,
    )
    def submit_review(self):
        pass

    @transition(
        field=state, source=State.ASSIGNED, target=State.CONFLICT, permission=_is_assigned_reviewer
    )
    def declare_conflict(self, reason: str = ""):
        self.conflict_reason = reason

    # Run by the product (`system=True`) when a conflict arises after assignment; a submitted
    # review is kept as evidence but never counts again.
    @transition(
        field=state, source=[State.ASSIGNED, State.SUBMITTED], target=State.CONFLICT,
        permission=lambda instance, user: False,
    )
    def flag_conflict(self, reason: str = ""):
        self.conflict_reason = reason


class Review(models.Model):
    """A reviewer's scores and comments; `comment_to_panel` never reaches the applicant."""

    class Recommendation(models.TextChoices):
        FUND = "fund", _("Fund")
        REVISE = "revise", _("Revise")
        DO_NOT_FUND = "do_not_fund", _("Do not fund")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    comment_to_applicant = LongTextField(blank=True)
    comment_to_panel = LongTextField(blank=True, help_text=_("Confidential to the panel."))
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    # Σ weight·value ÷ Σ weight·max_score × 100, stored so rankings are computed by the database.
    weighted_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weighted_score__isnull=True)
                | Q(weighted_score__gte=0, weighted_score__lte=100),
                name="review_weighted_score_range",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.assignment.proposal}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=1), name="score_value_min"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class ProposalScore(models.Model):
    """A proposal's place in its round's ranking, stored so the ranking reads one narrow row a
    proposal, in the order of an index, instead of aggregating every review of the round on
    each request (issue 16): what its counted reviews (submitted, never flagged for a
    conflict) come to, and the proposal's own columns the ranking sorts and filters by (round,
    state, requested amount, lead).

    Kept by reviews/services/scores.py whenever what it is made of changes: a review
    submitted, an assignment flagged or declared in conflict, an assignment or review created,
    changed or deleted by any channel (services, admin, cascades), a proposal saved in or out
    of a ranked state; `refresh_proposal_scores` rebuilds any set of them (the data migration,
    bulk loads). Every proposal in a ranked state has its row; `stale_proposal_scores` lists
    those that differ from what the proposals and reviews say."""

    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.CASCADE, primary_key=True,
        related_name="score_summary",
    )
    # Copies of the proposal's columns (kept on every save of a proposal in or out of a
    # ranked state).
    round = models.ForeignKey("fund.Round", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=30)
    requested_amount = models.DecimalField(**MONEY, null=True, blank=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING,
                             related_name="+", db_constraint=False)
    # Mean (to ten places, so the order is the mean's, not its rounding's), highest and
    # lowest weighted score of the counted reviews (None without any), and their number.
    mean_score = models.DecimalField(max_digits=13, decimal_places=10, null=True, blank=True)
    high_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    low_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    # The mean, or -1 without one: the ranking sorts by it (highest first, unscored last)
    # without NULLS LAST, so one plain index serves every database.
    sort_score = models.DecimalField(max_digits=13, decimal_places=10, default=-1)
    # The calibrated score (reviews/calibration.py: each reviewer's leniency taken out within
    # the round), 0-100 to ten places, None without a counted review; and it, or -1, to sort
    # by. Recomputed for the whole round whenever a counted review of it changes
    # (reviews.services.scores.calibrate_round), since a reviewer's mean and spread move the
    # calibrated score of every proposal they reviewed.
    calibrated_score = models.DecimalField(max_digits=13, decimal_places=10, null=True,
                                           blank=True)
    calibrated_sort_score = models.DecimalField(max_digits=13, decimal_places=10, default=-1)

    class Meta:
        indexes = [
            # The ranking's order within a round (reviews.selectors._SCORE_ORDER): page 1 and
            # the funding line are read along it. With the state and the lead in it, the
            # funding line reads the index alone up to the line (without, PostgreSQL sorted
            # the whole round's rows first: 11 ms for a round of 10,000 at 100k, to 1 ms), and
            # who is set apart for a viewer is asked of the index's rows, not the table's
            # (`ranked_and_apart_ids`; issue 16).
            models.Index(fields=["round", "-sort_score", "requested_amount", "proposal"],
                         name="proposal_score_ranking", include=["state", "lead"]),
            # The same by calibrated score (`?order=calibrated`).
            models.Index(fields=["round", "-calibrated_sort_score", "requested_amount",
                                 "proposal"], name="proposal_score_calibrated"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.mean_score} ({self.review_count} reviews)"


class RoundCalibration(models.Model):
    """What calibrating a round's reviews finds for the round as a whole (reviews/calibration.py),
    stored with its ProposalScore rows so the ranking never reads the round's reviews: the
    reviews' mean and pooled within-reviewer standard deviation (0-100 scale), Krippendorff's
    interval alpha (None when undefined), the numbers of counted reviews and reviewers, and the
    reviewers flagged as far from their peers: a list of {"reviewer": user id, "mean": float,
    "reviews": int}, by reviewer id."""

    round = models.OneToOneField("fund.Round", on_delete=models.CASCADE, primary_key=True,
                                 related_name="calibration")
    round_mean = models.FloatField(null=True, blank=True)
    pooled_sd = models.FloatField(null=True, blank=True)
    alpha = models.FloatField(null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    reviewer_count = models.PositiveIntegerField(default=0)
    flagged = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Calibration of round {self.round_id}: alpha {self.alpha}"


class ProposalActingChair(models.Model):
    """Who acts as chair of a proposal in a panel's states (`in_review`,
    `revision_requested`), stored so the chair's lists (the home page, the chair's pages) read
    `chair = me` from an index instead of asking the rule of every proposal (issue 16).

    The rule stays `reviews.chairs.acting_chair` (permission checks on one proposal ask it);
    this row is what it says, kept by `reviews.chairs.refresh_acting_chairs` whenever one of
    its inputs changes, in every channel (reviews/services/acting_chairs.py lists them), and
    checked nightly (`reconcile_acting_chairs`). A proposal in another state, or with no
    acting chair, has no row."""

    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.CASCADE, primary_key=True,
        related_name="stored_chair",
    )
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")

    class Meta:
        indexes = [models.Index(fields=["chair", "proposal"], name="acting_chair_by_chair")]

    def __str__(self) -> str:
        return f"{self.chair_id} acts as chair of {self.proposal_id}"
