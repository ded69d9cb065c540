"""The home page: a public landing page, or the signed-in user's dashboard by role.
The templates keep their paths (people/landing.html, people/dashboard.html)."""

from django.shortcuts import render

from .selectors import chair_panel_ids, dashboard_for, landing, what_may_wait


def dashboard(request):
    if not request.user.is_authenticated:
        return render(request, "people/landing.html", landing())
    # Which of the person's own sections may have rows, and whether they have a chair's duty
    # (one query). The panels are asked once, only of someone with a duty: the chair's
    # sections need them, and so does the navigation (context_processors).
    may = what_may_wait(request.user)
    request.chair_panel_ids = chair_panel_ids(request.user) if may["chairs"] else frozenset()
    context = {"sections": dashboard_for(user=request.user, chair_panels=request.chair_panel_ids,
                                         may=may)}
    return render(request, "people/dashboard.html", context)
