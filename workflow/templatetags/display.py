"""How the fund shows money, dates, states and history on every page (SCREENS.md)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.html import format_html

from workflow.history import history_for

register = template.Library()


@register.filter
def money(value, currency: str = "BTN") -> str:
    """`BTN 1,250,000.00`; an empty amount shows as an en dash."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{currency or 'BTN'} {amount:,.2f}"


@register.filter
def day(value) -> str:
    """`28 Nov 2026`, in Asia/Thimphu for times."""
    if not value:
        return "–"
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%b %Y}"


@register.filter
def moment(value) -> str:
    """`28 Nov 2026, 14:05` in Asia/Thimphu."""
    if not value:
        return "–"
    value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y, %H:%M}"


@register.filter
def deadline(value) -> str:
    """`29 Jan 2027, 23:59 Bhutan time`: a deadline always shows its time (Asia/Thimphu)."""
    if not value:
        return "–"
    value = timezone.localtime(value, timezone.get_default_timezone())
    return f"{value.day} {value:%b %Y, %H:%M} Bhutan time"


@register.simple_tag
def state_badge(obj) -> str:
    """The object's state as a readable badge; never a failure colour for a shared learning."""
    state = obj.state
    label = obj.get_state_display() if hasattr(obj, "get_state_display") else state
    return format_html('<span class="badge badge-{}">{}</span>', state, label)


@register.inclusion_tag("workflow/history.html", takes_context=True)
def history(context, obj):
    """The object's history as the signed-in viewer may read it (`workflow.history`): the
    applicant reads roles, not the names of reviewers, chairs or fund managers."""
    request = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    return {"entries": history_for(viewer, obj)}


@register.filter
def words(value) -> str:
    """`send_to_review` → `Send to review`."""
    return str(value or "").replace("_", " ").capitalize()
