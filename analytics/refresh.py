"""The beat task's work (analytics.stored explains why): every figure without filters
computed as the live code computes it and kept as a StoredFigure in each language of the
interface, the Reviewing figure once per active fund manager, in their language, with the
fingerprint taken before the data is read."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils import timezone, translation

from people.language import language_of

from .facts import build_facts
from .figures import BUILDERS, FIGURES, PUBLIC_FIGURES
from .models import StoredFigure
from .serial import figure_data
from .stored import VERSION, VIEWER_FIGURES, fund_managers, reviewing_fingerprint


def _store(key: str, *, public: bool, viewer=None, language: str = "") -> None:
    """Compute and keep one figure. A viewer's figure keeps the fingerprint of what they
    could see taken in the same snapshot as the data it counts (`facts.reading`): taken
    before, a change made and undone while the data was read left the fingerprint unchanged
    and the figure counting what the viewer may not see (found by an insider's attack)."""
    from .facts import reading

    language = language or settings.LANGUAGE_CODE
    start = time.perf_counter()
    with translation.override(language), reading():
        fingerprint = reviewing_fingerprint(viewer) if viewer is not None else ""
        figure = BUILDERS[key](viewer=viewer, chosen={}, public=public)
    figure.computed_at = timezone.now()
    figure.stored = True
    StoredFigure.objects.update_or_create(
        key=key,
        public=public,
        viewer=viewer if key in VIEWER_FIGURES else None,
        language=language,
        defaults={
            "figure": figure_data(figure),
            "computed_at": figure.computed_at,
            "fingerprint": fingerprint,
            "version": VERSION,
            "seconds": time.perf_counter() - start,
        },
    )


def refresh_stored_figures() -> int:
    """Compute and keep every figure without filters, then the facts filtered figures are
    counted from (analytics/facts.py); returns how many figures were stored."""

    stored = 0
    for key in FIGURES:
        if key in VIEWER_FIGURES:
            managers = list(fund_managers())
            for manager in managers:
                # Taken before the data is read: a change after it makes the two differ.
                # In the language the manager chose (computed once: it is the costly figure).
                language = language_of(manager)
                StoredFigure.objects.filter(key=key, viewer=manager).exclude(
                    language=language).delete()
                _store(key, public=False, viewer=manager, language=language)
                stored += 1
            StoredFigure.objects.filter(key=key, viewer__isnull=False).exclude(
                viewer__in=managers
            ).delete()
        else:
            for language, _name in settings.LANGUAGES:
                _store(key, public=False, language=language)
                stored += 1
    for key in PUBLIC_FIGURES:
        for language, _name in settings.LANGUAGES:
            _store(key, public=True, language=language)
            stored += 1
    # Last: the facts for filtered figures, with the agencies' parties digests read in their
    # own snapshot (analytics/facts.py `may_count_reviewing`).
    build_facts()
    return stored
