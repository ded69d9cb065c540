from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from people.models import Agency
from workflow.bounds import LongTextField
from workflow.services import permission, rule

from .money import MONEY, ZERO
from .rules import award_active_refusal, release_order_refusal


def is_fund_manager(instance, user) -> bool:
    return bool(user and user.is_authenticated and user.is_fund_manager)


def _money_proposal(instance):
    return instance.proposal if isinstance(instance, Award) else instance.award.proposal


def _money_refusal(instance, user) -> str:
    from proposals.rules import _fund_manager_refusal

    return _fund_manager_refusal(_money_proposal(instance), user)


@permission(_money_refusal)
def is_unconflicted_fund_manager(instance, user) -> bool:
    """Money moves on an award or tranche only by a fund manager with no conflict of interest
    with its proposal (DOMAIN.md, "No one decides on their own interest")."""
    from proposals.rules import is_unconflicted_fund_manager as decides

    return decides(_money_proposal(instance), user)


class Fund(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    currency = models.CharField(max_length=3, default="BTN")
    description = LongTextField(blank=True)
    organisation = models.CharField(
        max_length=200, blank=True, help_text=_("Who publishes the fund's grants (360Giving).")
    )
    organisation_identifier = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def total_contributed(self) -> Decimal:
        return self.contributions.aggregate(total=Sum("amount"))["total"] or ZERO

    @property
    def total_committed(self) -> Decimal:
        return committed_sum(Award.objects.filter(proposal__round__fund=self))

    @property
    def available_balance(self) -> Decimal:
        """Contributions less committed money: what awards not cancelled commit, less their
        cancelled tranches (DOMAIN.md, "Money tells the truth")."""
        if hasattr(self, "contributed_sum"):  # annotated by fund selectors
            return (self.contributed_sum or ZERO) - (self.committed_sum or ZERO)
        return self.total_contributed - self.total_committed


class Contribution(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contributions")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    received_on = models.DateField()
    note = LongTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} → {self.fund}: {self.amount}"


@rule("closes_at")
def _round_dates_set(round_):
    if not round_.opens_at or not round_.closes_at:
        return "Set the opening and closing dates before opening the round."
    if round_.closes_at <= round_.opens_at:
        return "The round must close after it opens."
    if round_.closes_at <= timezone.now():
        return "The closing date has passed; move it into the future to open the round."
    return None


@rule("criteria")
def _round_has_rubric(round_):
    if not round_.criteria.exists():
        return "The round needs at least one rubric criterion before it opens."
    return None


class Round(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = LongTextField(blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    budget = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    max_award = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    min_partner_agencies = models.PositiveSmallIntegerField(default=2)
    min_panel_agencies = models.PositiveSmallIntegerField(default=3)
    reviews_required = models.PositiveSmallIntegerField(default=3)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)

    class Meta:
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_accepting_proposals(self) -> bool:
        return self.state == self.State.OPEN and timezone.now() < self.closes_at

    @property
    def committed(self) -> Decimal:
        return committed_sum(Award.objects.filter(proposal__round=self))

    @property
    def remaining_budget(self) -> Decimal:
        return self.budget - self.committed

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.OPEN,
        conditions=[_round_dates_set, _round_has_rubric],
        permission=is_fund_manager,
    )
    def open(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.CLOSED, permission=is_fund_manager)
    def close(self):
        pass

    @transition(field=state, source=State.CLOSED, target=State.ARCHIVED, permission=is_fund_manager)
    def archive(self):
        pass


class Award(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="award"
    )
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="awards_approved"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    conditions = LongTextField(blank=True)
    state = FSMField(default=State.ACTIVE, choices=State.choices, protected=True)

    class Meta:
        ordering = ["-approved_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive")]
        # The API list's ordering and keyset (-approved_at, -id), read backwards.
        indexes = [models.Index(fields=["approved_at", "id"], name="award_approved")]

    def __str__(self) -> str:
        return f"Award for {self.proposal}"

    @transition(field=state, source=State.ACTIVE, target=State.COMPLETED, permission=is_unconflicted_fund_manager)
    def complete(self):
        pass

    @transition(field=state, source=State.ACTIVE, target=State.CANCELLED, permission=is_unconflicted_fund_manager)
    def cancel(self):
        pass


def _is_on_proposal(tranche, user) -> bool:
    proposal = tranche.award.proposal
    if not (user and user.is_authenticated and user.is_active):
        return False
    # Iterating `team.all()` uses a prefetched team, so lists of tranches stay at fixed queries.
    return proposal.lead_id == user.pk or any(
        m.user_id == user.pk and m.state == m.State.ACCEPTED for m in proposal.team.all()
    )


@rule("sequence")
def _previous_tranche_reported(tranche):
    """Released in order (fund.rules.release_order_refusal, which the pages read too)."""
    return release_order_refusal(tranche, list(tranche.award.tranches.all()))


@rule("award")
def _award_active(tranche):
    return award_active_refusal(tranche.award)


class TrancheQuerySet(models.QuerySet):
    def returned(self):
        """Cancelled tranches of awards not cancelled: money that went back to the fund and
        the round (a cancelled award returns its whole amount instead)."""
        return self.filter(state=Tranche.State.CANCELLED).exclude(
            award__state=Award.State.CANCELLED)


def committed_sum(awards) -> Decimal:
    """What `awards` (an Award queryset) commit, in the database: the amounts of those not
    cancelled, less their cancelled tranches (DOMAIN.md, "Money tells the truth")."""
    live = awards.exclude(state=Award.State.CANCELLED)
    awarded = live.aggregate(total=Sum("amount"))["total"] or ZERO
    returned = (Tranche.objects.filter(award__in=live.values("pk"),
                                       state=Tranche.State.CANCELLED)
                .aggregate(total=Sum("amount"))["total"] or ZERO)
    return awarded - returned


class Tranche(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RELEASED = "released", _("Released")
        REPORTED = "reported", _("Reported")
        CANCELLED = "cancelled", _("Cancelled")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="tranches")
    sequence = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    due_on = models.DateField()
    milestone = LongTextField()
    milestone_report = LongTextField(blank=True)
    state = FSMField(default=State.SCHEDULED, choices=State.choices, protected=True)

    objects = TrancheQuerySet.as_manager()

    class Meta:
        ordering = ["award", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["award", "sequence"], name="tranche_sequence_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
        ]
        indexes = [
            # The fund managers' home page: scheduled tranches due soonest, and released ones
            # (their milestone reports), read in due order from an index (issue 16).
            models.Index(fields=["state", "due_on", "id"], name="tranche_state_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Tranche {self.sequence} of {self.award}"

    @transition(
        field=state,
        source=State.SCHEDULED,
        target=State.RELEASED,
        conditions=[_award_active, _previous_tranche_reported],
        permission=is_unconflicted_fund_manager,
    )
    def release(self):
        pass

    @transition(field=state, source=State.RELEASED, target=State.REPORTED, permission=_is_on_proposal)
    def report_milestone(self, milestone_report: str):
        self.milestone_report = milestone_report

    @transition(
        field=state, source=State.SCHEDULED, target=State.CANCELLED, permission=is_unconflicted_fund_manager
    )
    def cancel(self):
        pass
