"""Job buttons other pages show, so that their views need not know about jobs."""

from django import template

from documents.portfolio import can_view_portfolio, inline_max, portfolio_size

register = template.Library()


@register.inclusion_tag("jobs/_portfolio_actions.html", takes_context=True)
def portfolio_actions(context, round_):
    """The round's portfolio report, now (the stable PDF URL, for a round small enough) or
    prepared as a job, and every proposal's details as a CSV file beside it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user and user.is_authenticated and can_view_portfolio(user, round_))
    # A large round's PDF is only ever prepared as a job (documents/api.py): no "now" link.
    size = portfolio_size(round_) if show else 0
    return {
        "round": round_, "show": show, "size": size, "inline": size <= inline_max(),
        "csrf_token": context.get("csrf_token"),
    }
