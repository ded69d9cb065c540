"""A viewer's fingerprint and the data counted for them are read in one snapshot
(`analytics.facts.reading`): the facts' agencies' parties digests, the stored Reviewing
figure's fingerprint, a request's cache key, and the check of the digests a filtered Reviewing
is counted from the facts under. Taken before the snapshot, a change made and undone while the data was
read (an agency moved by an import and back) left a fingerprint describing the viewer on a
figure that counted proposals they have a conflict with (an insider's attack). The tests see
the order of the calls: inside a test's own transaction there is no second snapshot to take."""

from contextlib import contextmanager

import pytest

from analytics import facts, figures, refresh, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    seen = []

    @contextmanager
    def reading():
        seen.append("snapshot")
        yield
        seen.append("end")

    real = stored.reviewing_fingerprint

    def fingerprint(viewer):
        seen.append("fingerprint")
        return real(viewer)

    real_digests = facts.agency_digests

    def digests(*args, **kwargs):
        seen.append("digests")
        return real_digests(*args, **kwargs)

    monkeypatch.setattr(facts, "agency_digests", digests)
    monkeypatch.setattr(facts, "reading", reading)
    monkeypatch.setattr(stored, "reviewing_fingerprint", fingerprint)
    monkeypatch.setattr(refresh, "reviewing_fingerprint", fingerprint)
    return seen


def _inside(seen, what):
    """Every `what` call falls between a snapshot's start and its end."""
    depth, found = 0, 0
    for call in seen:
        depth += {"snapshot": 1, "end": -1}.get(call, 0)
        if call == what:
            assert depth > 0, seen
            found += 1
    return found


def test_the_facts_take_the_agencies_digests_in_their_snapshot(world, calls):
    facts.build_facts()
    assert _inside(calls, "digests") == 1


def test_a_filtered_reviewing_checks_the_digest_in_the_snapshot_it_counts_in(world, calls):
    facts.build_facts()
    calls.clear()
    figure = figures.build("reviewing", viewer=world["manager"], chosen={"round": world["r1"]})
    assert figure.stored and _inside(calls, "digests") == 1


def test_the_stored_reviewing_takes_its_fingerprint_with_its_data(world, calls, monkeypatch):
    real = figures.BUILDERS["reviewing"]

    def builder(**kwargs):
        calls.append("data")
        return real(**kwargs)

    monkeypatch.setitem(figures.BUILDERS, "reviewing", builder)
    monkeypatch.setitem(refresh.BUILDERS, "reviewing", builder)
    refresh._store("reviewing", public=False, viewer=world["manager"])
    assert _inside(calls, "fingerprint") == 1 and _inside(calls, "data") == 1
    assert calls.index("fingerprint") < calls.index("data")


def test_a_requests_cache_key_is_taken_in_the_snapshot_of_its_data(world, calls, settings):
    settings.ANALYTICS_CACHE_SECONDS = 60
    figures.build("reviewing", viewer=world["manager"], chosen={"round": world["r1"]})
    assert _inside(calls, "fingerprint") >= 1
