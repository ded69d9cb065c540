"""How the fund shows money, dates and states on every page (SCREENS.md): plain functions,
registered as filters and tags of the `display` template library (which adds `{% history %}`)
by proposals/templatetags/display.py, and called from Python where a text needs them."""

from decimal import Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy

from .labels import word_label

# The months as dates show them, in the page's language (English: as `%b`, "Nov").
MONTHS = (
    pgettext_lazy("abbreviated month", "Jan"), pgettext_lazy("abbreviated month", "Feb"),
    pgettext_lazy("abbreviated month", "Mar"), pgettext_lazy("abbreviated month", "Apr"),
    pgettext_lazy("abbreviated month", "May"), pgettext_lazy("abbreviated month", "Jun"),
    pgettext_lazy("abbreviated month", "Jul"), pgettext_lazy("abbreviated month", "Aug"),
    pgettext_lazy("abbreviated month", "Sep"), pgettext_lazy("abbreviated month", "Oct"),
    pgettext_lazy("abbreviated month", "Nov"), pgettext_lazy("abbreviated month", "Dec"),
)


def _date(value) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def money(value, currency: str = "BTN") -> str:
    """`BTN 1,250,000.00`; an empty amount shows as an en dash."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{currency or 'BTN'} {amount:,.2f}"


def day(value) -> str:
    """`28 Nov 2026`, in Asia/Thimphu for times."""
    if not value:
        return "–"
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return _date(value)


def moment(value) -> str:
    """`28 Nov 2026, 14:05` in Asia/Thimphu."""
    if not value:
        return "–"
    value = timezone.localtime(value)
    return f"{_date(value)}, {value:%H:%M}"


def deadline(value) -> str:
    """`29 Jan 2027, 23:59 Bhutan time`: a deadline always shows its time (Asia/Thimphu)."""
    if not value:
        return "–"
    value = timezone.localtime(value, timezone.get_default_timezone())
    return gettext("%(moment)s Bhutan time") % {"moment": f"{_date(value)}, {value:%H:%M}"}


@cache
def _state_labels(model) -> dict | None:
    """{state: label} of `model`'s `state` field (labels lazy: translated when shown), or None
    without one. What `get_state_display` finds, without its cost on every row: Django makes
    every choice hashable on each call, which translates each of the field's labels (issue 16:
    500 translations for a list of 25 rows)."""
    try:
        field = model._meta.get_field("state")
    except (AttributeError, FieldDoesNotExist):
        return None
    if not field.choices:
        return None
    return dict(field.flatchoices)


def state_badge(obj) -> str:
    """The object's state as a readable badge; never a failure colour for a shared learning."""
    state = obj.state
    labels = _state_labels(type(obj)) if isinstance(state, str) else None
    if labels is not None:
        label = labels.get(state, state)
    else:
        label = obj.get_state_display() if hasattr(obj, "get_state_display") else state
    return format_html('<span class="badge badge-{}">{}</span>', state, label)


def words(value) -> str:
    """`send_to_review` → `Send to review`, in the page's language when the catalogue has the
    state or transition (workflow/labels.py)."""
    return word_label(value)
