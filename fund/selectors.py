"""Read side of the fund: funds with their balances, contributions and rounds.

Who sees what (DOMAIN.md is silent on pages, so the rule lives here): every signed-in
user sees active funds and rounds that are not drafts, because civil servants need to
find open rounds; fund managers see everything, drafts and inactive funds included.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from proposals.models import Proposal

from .models import Award, Contribution, Fund, Round, Tranche

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_subquery(qs, field: str):
    return Coalesce(
        Subquery(
            qs.values(field).annotate(total=Sum("amount")).values("total")[:1], output_field=_MONEY
        ),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def register_entries(via: str = "") -> Q:
    """A filter on Proposal: the register of funded work (DOMAIN.md): funded, outcome-reported
    or closed, with an award that is not cancelled. Every signed-in person sees such a
    proposal's register entry (title, summary, agencies, award amount, outcome, learnings);
    the public page shows the same to visitors.

    `via`: the same filter on another model, through its foreign key of that name to Proposal
    (e.g. "proposal" on Learning), without a subquery over proposals."""
    states = (Proposal.State.FUNDED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED)
    live_award = Award.objects.filter(
        proposal=OuterRef(f"{via}_id" if via else "pk")).exclude(state=Award.State.CANCELLED)
    if via:
        return Q(**{f"{via}__state__in": states}) & Exists(live_award)
    return Q(state__in=states) & Exists(live_award)


def funds_with_balance() -> QuerySet[Fund]:
    """Funds annotated with contributed and committed sums, computed by the database."""
    contributed = Contribution.objects.filter(fund=OuterRef("pk")).order_by()
    awarded = (
        Award.objects.filter(proposal__round__fund=OuterRef("pk"))
        .exclude(state=Award.State.CANCELLED).order_by()
    )
    returned = Tranche.objects.returned().filter(
        award__proposal__round__fund=OuterRef("pk")).order_by()
    return Fund.objects.annotate(
        contributed_sum=_sum_subquery(contributed, "fund"),
        returned_sum=_sum_subquery(returned, "award__proposal__round__fund"),
        committed_sum=ExpressionWrapper(
            _sum_subquery(awarded, "proposal__round__fund") - F("returned_sum"),
            output_field=_MONEY),
    )


def funds_visible_to(user) -> QuerySet[Fund]:
    """Funds with balances that `user` may see: active ones; fund managers see all."""
    if not _signed_in(user):
        return Fund.objects.none()
    qs = funds_with_balance()
    if not user.is_fund_manager:
        qs = qs.filter(is_active=True)
    return qs


def can_view_fund(user, fund: Fund) -> bool:
    return _signed_in(user) and (fund.is_active or user.is_fund_manager)


def fund_balance_by_agency(*, fund: Fund):
    return (
        Contribution.objects.filter(fund=fund)
        .values("agency__code", "agency__name")
        .annotate(total=Sum("amount"))
        .order_by("-total", "agency__code")
    )


def fund_contributions(*, fund: Fund) -> QuerySet[Contribution]:
    return Contribution.objects.filter(fund=fund).select_related("agency", "recorded_by")


def _with_remaining(qs: QuerySet[Round]) -> QuerySet[Round]:
    committed = (
        Award.objects.filter(proposal__round=OuterRef("pk"))
        .exclude(state=Award.State.CANCELLED)
        .order_by()
    )
    return qs.annotate(committed_sum=_sum_subquery(committed, "proposal__round")).annotate(
        remaining_sum=ExpressionWrapper(F("budget") - F("committed_sum"), output_field=_MONEY)
    )


def rounds_visible_to(user) -> QuerySet[Round]:
    """Rounds `user` may see: all but drafts; fund managers see drafts too."""
    if not _signed_in(user):
        return Round.objects.none()
    if user.is_fund_manager:
        return Round.objects.all()
    return Round.objects.exclude(state=Round.State.DRAFT)


def can_view_round(user, round_: Round) -> bool:
    return _signed_in(user) and (round_.state != Round.State.DRAFT or user.is_fund_manager)


def rounds_list(*, filters: dict | None = None, viewer=None) -> QuerySet[Round]:
    """Rounds filtered by `state` and `fund`; limited to what `viewer` may see when given."""
    filters = filters or {}
    qs = rounds_visible_to(viewer) if viewer is not None else Round.objects.all()
    qs = _with_remaining(qs.select_related("fund"))
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("fund"):
        qs = qs.filter(fund_id=filters["fund"])
    return qs


def rounds_open() -> QuerySet[Round]:
    return Round.objects.filter(
        state=Round.State.OPEN, closes_at__gt=timezone.now()
    ).select_related("fund")


def rounds_closing(*, within_days: int = 14) -> QuerySet[Round]:
    """Open rounds closing soonest first (including those past `closes_at` not yet closed)."""
    horizon = timezone.now() + timedelta(days=within_days)
    return (
        Round.objects.filter(state=Round.State.OPEN, closes_at__lte=horizon)
        .select_related("fund")
        .order_by("closes_at")
    )


def days_left(round_: Round) -> int:
    """Whole days until the round closes (0 on its last day or after)."""
    delta = round_.closes_at - timezone.now()
    return max(delta.days, 0)
