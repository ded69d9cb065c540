"""The weighted score of a review, 0-100: Σ weight·value ÷ Σ weight·max_score × 100."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def weighted_score(pairs: Iterable[tuple]) -> Decimal:
    """`pairs` of (criterion, value); criteria carry `weight` and `max_score`."""
    earned = possible = Decimal(0)
    for criterion, value in pairs:
        weight = Decimal(criterion.weight)
        earned += weight * Decimal(value)
        possible += weight * Decimal(criterion.max_score)
    if possible == 0:
        return Decimal("0.00")
    return (earned / possible * 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
