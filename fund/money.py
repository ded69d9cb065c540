"""Money as people type it: the one parser for amounts the fund takes in (awards, tranches,
amounts spent), so every amount obeys the same bounds as the MONEY columns that store it."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# Every amount of money is stored in a column of this size; ZERO is no money.
MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
INTEGER_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]
# The largest amount a MONEY column holds: 999,999,999,999.99.
MAX_MONEY = Decimal(10) ** INTEGER_DIGITS - CENT


def parse_money(value, field: str, *, label: str = "The amount",
                allow_zero: bool = False) -> Decimal:
    """A finite decimal amount with at most two places that fits a MONEY column, more than zero
    (or at least zero with `allow_zero`); a float is read as written, never as its binary error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: f"{label} is required."})
    if isinstance(value, bool):
        raise ValidationError({field: f"{label} is not a number."})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{label} is not a number."}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{label} is not a number."})
    if amount < 0 and allow_zero:
        raise ValidationError({field: f"{label} cannot be negative."})
    if amount <= 0 and not allow_zero:
        raise ValidationError({field: f"{label} must be more than zero."})
    # Checked before quantizing: quantize fails once the digits exceed the decimal context.
    if amount > MAX_MONEY:
        raise ValidationError({field: f"{label} is too large: at most {MAX_MONEY:,.2f}."})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"{label} has more than two decimal places."})
    return amount.quantize(CENT)
