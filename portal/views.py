"""The home page: a public landing page, or the signed-in user's dashboard by role.
The templates keep their paths (people/landing.html, people/dashboard.html)."""

from django.shortcuts import render

from .selectors import dashboard_for, landing


def dashboard(request):
    if not request.user.is_authenticated:
        return render(request, "people/landing.html", landing())
    context = {"sections": dashboard_for(user=request.user)}
    return render(request, "people/dashboard.html", context)
