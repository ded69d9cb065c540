"""The home page: a public landing page, or the signed-in user's dashboard by role.
The templates keep their paths (people/landing.html, people/dashboard.html)."""

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from .selectors import chair_panel_ids, dashboard_for, landing, what_may_wait


def dashboard(request):
    if not request.user.is_authenticated:
        return render(request, "people/landing.html", landing())
    # Which of the person's own sections may have rows, and whether they have a chair's duty
    # (one query): the chair's sections and the navigation (context_processors) need only
    # that, so the panels themselves are asked only if something reads them.
    may = what_may_wait(request.user)
    user = request.user
    request.has_chair_duty = may["chairs"]
    request.chair_panel_ids = (SimpleLazyObject(lambda: chair_panel_ids(user)) if may["chairs"]
                               else frozenset())
    context = {"sections": dashboard_for(user=request.user, chair_panels=request.chair_panel_ids,
                                         may=may)}
    return render(request, "people/dashboard.html", context)
