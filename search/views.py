"""The search page: `/search/?q=` over what the viewer may see (search/selectors.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .selectors import search
from .text import MAX_QUERY_CHARS

KIND_LABELS = (("all", _("Proposals and learnings")), ("proposals", _("Proposals")),
               ("learnings", _("Learnings")))


@login_required
def search_page(request):
    asked = "q" in request.GET
    kind = request.GET.get("kind") or "all"
    results = search(viewer=request.user, q=request.GET.get("q", ""), kind=kind) if asked else None
    return render(request, "search/search.html", {
        "asked": asked, "results": results, "q": (request.GET.get("q") or "")[:MAX_QUERY_CHARS],
        "kind": results.kind if results else "all", "kinds": KIND_LABELS,
        "max_chars": MAX_QUERY_CHARS,
    })
