"""The home page: a public landing page, or the signed-in user's dashboard by role."""

from django.shortcuts import render

from fund.selectors import days_left, rounds_open

from .selectors import dashboard_for

LANDING_ROUNDS = 6


def dashboard(request):
    if not request.user.is_authenticated:
        rounds = list(rounds_open().order_by("closes_at")[:LANDING_ROUNDS])
        for round_ in rounds:
            round_.days_left = days_left(round_)
        return render(request, "people/landing.html", {"open_rounds": rounds})
    context = {"sections": dashboard_for(user=request.user)}
    return render(request, "people/dashboard.html", context)
