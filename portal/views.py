"""The home page: a public landing page, or the signed-in user's dashboard by role.
The templates keep their paths (people/landing.html, people/dashboard.html)."""

from django.shortcuts import render

from .selectors import chair_panel_ids, dashboard_for, landing


def dashboard(request):
    if not request.user.is_authenticated:
        return render(request, "people/landing.html", landing())
    # Asked once: the chair's sections need it, and so does the navigation (context_processors).
    request.chair_panel_ids = chair_panel_ids(request.user)
    context = {"sections": dashboard_for(user=request.user, chair_panels=request.chair_panel_ids)}
    return render(request, "people/dashboard.html", context)
