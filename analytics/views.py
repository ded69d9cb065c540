"""The analytics pages: an index and one page per figure for fund managers (`/analytics/`), and
the public, aggregate-only pages (`/analytics/public/`). Each page shows the filter form, the
figure's charts with their figures in words, its tables, and CSV and JSON downloads of the same
numbers (`?download=csv&table=<key>`, `?download=json`)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from datafiles.cells import CSV_CONTENT_TYPE, csv_bytes

from .figures import FIGURES, PUBLIC_FIGURES, SUMMARIES, build, cache_seconds
from .filters import AnalyticsFilter
from .public import THRESHOLD
from .selectors import may_view_analytics
from .stored import refresh_minutes


def _plain(value):
    if isinstance(value, (Decimal, Promise)):  # a lazy translation: its text now
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def figure_json(figure, chosen: dict) -> dict:
    """The figure as the API and the JSON download give it."""
    return {
        "figure": figure.key, "title": str(figure.title), "definition": str(figure.definition),
        "filters": {k: _plain(v) for k, v in chosen.items()},
        "summary": json.loads(json.dumps(figure.summary, default=_plain)),
        "tables": {t.key: {"caption": str(t.caption), "columns": [k for k, _l in t.columns],
                           "rows": [{k: _plain(row.get(k)) for k, _l in t.columns}
                                    for row in t.rows]}
                   for t in figure.tables},
        "notes": [str(note) for note in figure.notes],
        "as_of": figure.computed_at.isoformat() if figure.computed_at else None,
        "stored": figure.stored,
    }


def _filters_in_name(chosen: dict) -> str:
    """The filters a download was made with, for its file name (`-fund-2-year-2026`): two
    downloads of one figure under different filters are not saved under the same name."""
    parts = [f"{what}-{chosen[what].pk}" for what in ("fund", "round", "agency")
             if chosen.get(what) is not None]
    first, last = chosen.get("year_from"), chosen.get("year_to")
    if first and last:
        parts.append(f"year-{first}" if first == last else f"years-{first}-{last}")
    elif first or last:
        parts.append(f"from-{first}" if first else f"to-{last}")
    return "".join(f"-{part}" for part in parts)


def _download(request, figure, chosen, prefix: str):
    kind = request.GET.get("download")
    name = f"{prefix}{figure.key}{_filters_in_name(chosen)}"
    if kind == "json":
        response = HttpResponse(json.dumps(figure_json(figure, chosen), indent=1),
                                content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    table = figure.table(request.GET.get("table") or None)
    if table is None:  # a bad request for a file, answered in the file's own words
        keys = ", ".join(t.key for t in figure.tables)
        return _refused_download("csv", {"table": [
            _("This figure has no such table: choose one of %(tables)s.") % {"tables": keys}]})
    body = csv_bytes([str(label) for _k, label in table.columns],
                     ([_plain(row.get(k)) for k, _l in table.columns] for row in table.rows))
    response = HttpResponse(body, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{table.key}.csv"'
    return response


DOWNLOADS = ("csv", "json")


def _refused_download(kind: str, errors: dict) -> HttpResponse:
    """A download asked with filters that cannot be answered: the messages, 400, in the
    format asked for (JSON as the API gives them; plain text for a CSV)."""
    if kind == "json":
        return HttpResponse(json.dumps(errors), status=400, content_type="application/json")
    text = "\n".join(f"{field}: {m}" if field != "__all__" else m
                     for field, messages in errors.items() for m in messages)
    return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")


def _figure_page(request, key: str, *, public: bool):
    kind = request.GET.get("download")
    if kind is not None and kind not in DOWNLOADS:
        return _refused_download("text", {"download": [_("Choose csv or json.")]})
    form = AnalyticsFilter(request.GET if request.GET else None, public=public)
    figure, chosen = None, {}
    if form.is_bound and not form.is_valid():
        if kind:
            return _refused_download(kind, {
                field: [e["message"] for e in errors]
                for field, errors in form.errors.get_json_data().items()})
        return render(request, "analytics/figure.html", {
            "form": form, "figure": None, "key": key, "title": FIGURES[key], "public": public,
            "figures": _menu(public)}, status=200)
    if form.is_bound:
        chosen = form.chosen()
    figure = build(key, viewer=request.user, chosen=chosen, public=public)
    if request.GET.get("download") in ("csv", "json"):
        return _download(request, figure, chosen, "public-" if public else "")
    return render(request, "analytics/figure.html", {
        "form": form, "figure": figure, "key": key, "title": figure.title, "public": public,
        "figures": _menu(public), "threshold": THRESHOLD,
        "query": request.GET.urlencode(), "cache_minutes": (cache_seconds() + 59) // 60,
        "refresh_minutes": refresh_minutes(),
    })


def _entries(public: bool) -> list[tuple[str, str, str]]:
    """The index's list: each figure's key, title and what it answers."""
    return [(k, title, SUMMARIES[k]) for k, title in _menu(public)]


def _menu(public: bool) -> list[tuple[str, str]]:
    keys = PUBLIC_FIGURES if public else tuple(FIGURES)
    return [(k, FIGURES[k]) for k in keys]


def _require_manager(request):
    if not may_view_analytics(request.user):
        raise PermissionDenied(_("Only fund managers see the fund's analytics; "
                               "everyone may see the public figures."))


@login_required
def index(request):
    _require_manager(request)
    return render(request, "analytics/index.html", {"entries": _entries(False), "public": False})


def figure_view(key: str):
    @login_required
    def view(request):
        _require_manager(request)
        return _figure_page(request, key, public=False)
    view.__name__ = f"analytics_{key}"
    return view


def public_index(request):
    return render(request, "analytics/index.html", {"entries": _entries(True), "public": True,
                                                    "threshold": THRESHOLD})


def public_figure_view(key: str):
    def view(request):
        return _figure_page(request, key, public=True)
    view.__name__ = f"analytics_public_{key}"
    return view
