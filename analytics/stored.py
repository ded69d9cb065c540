"""Figures computed in the background and served with their "as of" time (issue 17).

Without filters, each figure counts every proposal in the fund: at national scale (100,000
proposals) a first, uncached request took 9 to 47 times the proposal list's time (the
aggregates read every proposal, assignment, tranche and transition; bench/analytics_results.md).
So the beat task `analytics.refresh_stored_figures` (refresh.py) (every ANALYTICS_REFRESH_MINUTES, default
5) computes each figure without filters, as the live code computes it, and keeps the answer
(StoredFigure); a request without filters is answered from it while it is younger than
ANALYTICS_STORED_MAX_MINUTES (default 30: if the beat stops, figures are computed live again,
never shown hours old). A request with filters (a fund, a round, years, an agency) is counted
from the facts the same refresh keeps last (analytics/facts.py), under the same freshness
rule, or live when there are none; a public figure with filters too, its cells' record keys
summed from the facts (which carry each proposal's: analytics/public.py), and live whenever the
facts do not carry them (`FactsRun.keyed`, figures.py `facts_run`). The page and the API say
which: "as of" the time it was computed, and whether live or stored.

Visibility: the figures other than Reviewing are the same for every fund manager (and the
public ones for everyone: figures.py `_cache_key`), so one stored answer serves them all. The
Reviewing figure leaves out what its viewer may not see (proposals they have a conflict of
interest with, those whose review by them is still open or in conflict: selectors.py
`counted_assignments`), so with or without filters it is first counted from the facts
(analytics/facts.py), with what the viewer may not see asked at each request; only when the
facts cannot serve them (none recent, or their agency's part in the proposals changed since, or
a review was flagged as a conflict) is the one stored for them used: it is stored per active
fund manager with their `viewer_fingerprint` taken in the snapshot of its data, and served to
them only while their fingerprint is unchanged (a new conflict, an assignment given or
submitted, a change of agency or role makes it computed live again for them).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

VERSION = 5  # bumped whenever Figure's shape or the public rules change: rows of an older version
# are never read, and no figure cached under one is served (figures.py `_cache_key`)
VIEWER_FIGURES = ("reviewing",)


def fund_managers():
    """The active fund managers, whose Reviewing figure is kept each (refresh.py, facts.py)."""
    from people.models import FUND_MANAGERS, User

    return User.objects.filter(groups__name=FUND_MANAGERS, is_active=True).distinct().order_by("pk")


def refresh_minutes() -> int:
    return int(getattr(settings, "ANALYTICS_REFRESH_MINUTES", 5))


def max_age() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ANALYTICS_STORED_MAX_MINUTES", 30)))


def conflicts_stamp() -> str:
    """What changes whenever a review is flagged as a conflict of interest, anyone's, or one
    stops being flagged (a flagged review never counts, DOMAIN.md): an MD5 (32 hex
    characters) over the ids of the assignments in conflict, in order, made by the database
    on PostgreSQL and here on SQLite, to the same value. A count and a sum of the ids stayed
    the same when two were flagged and two others of the same sum cleared (an outsider's
    attack). One indexed query."""
    import hashlib

    from django.db import connection

    from reviews.models import Assignment

    flagged = Assignment.objects.filter(state=Assignment.State.CONFLICT).order_by()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.aggregates import StringAgg
        from django.db.models import TextField
        from django.db.models.functions import MD5, Cast

        found = flagged.aggregate(ids=MD5(StringAgg(Cast("pk", TextField()), ",",
                                                    order_by="pk")))["ids"]
        return found or hashlib.md5(b"", usedforsecurity=False).hexdigest()
    ids = ",".join(str(pk) for pk in flagged.order_by("pk").values_list("pk", flat=True))
    return hashlib.md5(ids.encode(), usedforsecurity=False).hexdigest()


def reviewing_fingerprint(viewer) -> str:
    """The Reviewing figure holds for `viewer` while what they may see is unchanged
    (`jobs.viewer.viewer_fingerprint`) and no review was flagged as a conflict since: anyone's
    new conflict takes a review out of it (found by an outsider's attack)."""
    import hashlib

    from jobs.viewer import viewer_fingerprint

    both = f"{viewer_fingerprint(viewer)}:{conflicts_stamp()}"
    return hashlib.sha256(both.encode()).hexdigest()


def stored_figure(key: str, *, viewer, public: bool):
    """The stored answer of the figure without filters for this viewer, in the page's
    language, or None (none yet, too old, in another language, or the viewer's fingerprint
    changed since)."""
    from django.utils import translation

    from .models import StoredFigure

    rows = StoredFigure.objects.filter(
        key=key, public=public, version=VERSION, computed_at__gte=timezone.now() - max_age(),
        language=(translation.get_language() or settings.LANGUAGE_CODE).lower(),
    )
    if key in VIEWER_FIGURES and not public:
        if not getattr(viewer, "pk", None):
            return None
        rows = rows.filter(viewer=viewer)
    else:
        rows = rows.filter(viewer__isnull=True)
    row = rows.only("figure", "fingerprint").first()
    if row is None:
        return None
    if key in VIEWER_FIGURES and not public:
        if row.fingerprint != reviewing_fingerprint(viewer):
            return None
    from .serial import figure_from_data

    try:  # plain data (JSON), read field by field: never unpickled
        return figure_from_data(row.figure)
    except (KeyError, TypeError, ValueError, ArithmeticError):  # not a figure: computed live
        return None
