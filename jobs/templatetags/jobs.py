"""Job buttons other pages show, so that their views need not know about jobs."""

from django import template

from documents.portfolio import can_view_portfolio

register = template.Library()


@register.inclusion_tag("jobs/_portfolio_actions.html", takes_context=True)
def portfolio_actions(context, round_):
    """The round's portfolio report, now (the stable PDF URL) or prepared as a job."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "round": round_,
        "show": bool(user and user.is_authenticated and can_view_portfolio(user, round_)),
        "csrf_token": context.get("csrf_token"),
    }
