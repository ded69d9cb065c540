"""Money as people type it: the one parser for amounts the fund takes in (awards, tranches,
amounts spent), so every amount obeys the same bounds as the MONEY columns that store it."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# Every amount of money is stored in a column of this size; ZERO is no money.
MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
INTEGER_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]
# The largest amount a MONEY column holds: 999,999,999,999.99.
MAX_MONEY = Decimal(10) ** INTEGER_DIGITS - CENT


def parse_money(value, field: str, *, label: str | None = None,
                allow_zero: bool = False) -> Decimal:
    """A finite decimal amount with at most two places that fits a MONEY column, more than zero
    (or at least zero with `allow_zero`); a float is read as written, never as its binary error."""
    label = gettext("The amount") if label is None else label
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: gettext("%(label)s is required.") % {"label": label}})
    if isinstance(value, bool):
        raise ValidationError({field: gettext("%(label)s is not a number.") % {"label": label}})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: gettext("%(label)s is not a number.") % {"label": label}}) from None
    if not amount.is_finite():
        raise ValidationError({field: gettext("%(label)s is not a number.") % {"label": label}})
    if amount < 0 and allow_zero:
        raise ValidationError({field: gettext("%(label)s cannot be negative.") % {"label": label}})
    if amount <= 0 and not allow_zero:
        raise ValidationError({field: gettext("%(label)s must be more than zero.") % {
            "label": label}})
    # Checked before quantizing: quantize fails once the digits exceed the decimal context.
    if amount > MAX_MONEY:
        raise ValidationError({field: gettext("%(label)s is too large: at most %(max)s.") % {
            "label": label, "max": f"{MAX_MONEY:,.2f}"}})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: gettext("%(label)s has more than two decimal places.") % {
            "label": label}})
    return amount.quantize(CENT)
