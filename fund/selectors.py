from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Award, Contribution, Fund, Round

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_subquery(qs, field: str):
    return Coalesce(
        Subquery(qs.values(field).annotate(total=Sum("amount")).values("total")[:1], output_field=_MONEY),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )


def funds_with_balance() -> QuerySet[Fund]:
    """Funds annotated with contributed and committed sums, computed by the database."""
    contributed = Contribution.objects.filter(fund=OuterRef("pk")).order_by()
    committed = (
        Award.objects.filter(proposal__round__fund=OuterRef("pk"))
        .exclude(state=Award.State.CANCELLED)
        .order_by()
    )
    return Fund.objects.annotate(
        contributed_sum=_sum_subquery(contributed, "fund"),
        committed_sum=_sum_subquery(committed, "proposal__round__fund"),
    )


def fund_balance_by_agency(*, fund: Fund):
    return (
        Contribution.objects.filter(fund=fund)
        .values("agency__code", "agency__name")
        .annotate(total=Sum("amount"))
        .order_by("-total", "agency__code")
    )


def rounds_list(*, filters: dict | None = None) -> QuerySet[Round]:
    filters = filters or {}
    qs = Round.objects.select_related("fund")
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("fund"):
        qs = qs.filter(fund_id=filters["fund"])
    return qs


def rounds_open() -> QuerySet[Round]:
    from django.utils import timezone

    return Round.objects.filter(state=Round.State.OPEN, closes_at__gt=timezone.now()).select_related("fund")
