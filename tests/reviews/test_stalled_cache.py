"""The stalled proposals on the home pages of fund managers and administrators are asked of the
database at most once every settings.STALLED_CACHE_SECONDS, for everyone (portal.home,
issue 16): a pass over every proposal under review is not made for each page view. A proposal
unblocked a moment ago is never shown as stalled (each shown row is asked again); one newly
stalled shows once the kept answer expires."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import home
from reviews import services


@pytest.fixture
def kept(settings):
    settings.STALLED_CACHE_SECONDS = 60
    cache.delete(home.STALLED_CACHE_KEY)
    yield
    cache.delete(home.STALLED_CACHE_KEY)


def _stalled_ids(user):
    return [stall.proposal.pk for stall in home.stalled_section(user=user)["items"]]


def _queries(user):
    with CaptureQueriesContext(connection) as queries:
        home.stalled_section(user=user)
    return len(queries)


def test_the_answer_is_kept_and_shared(scene, kept):
    scene.chair.agency = scene.moe  # a partner agency: the chair may not act, no deputy
    scene.chair.save()
    assert _stalled_ids(scene.fund_manager) == [scene.proposal.pk]
    first = _queries(scene.fund_manager)  # the kept answer now
    cache.delete(home.STALLED_CACHE_KEY)
    asked = _queries(scene.fund_manager)
    assert first < asked  # the pass over proposals under review is not made again
    other = type(scene.fund_manager).objects.get(pk=scene.fund_manager.pk)
    assert _stalled_ids(other) == [scene.proposal.pk]


def test_an_unblocked_proposal_leaves_at_once(scene, kept):
    scene.chair.agency = scene.moe
    scene.chair.save()
    assert _stalled_ids(scene.fund_manager) == [scene.proposal.pk]
    services.panel_update(actor=scene.fund_manager, panel=scene.panel,
                          deputy_chair=scene.other_member)
    assert _stalled_ids(scene.fund_manager) == []


def test_a_newly_stalled_proposal_shows_once_the_answer_expires(scene, kept, settings):
    assert _stalled_ids(scene.fund_manager) == []
    scene.chair.agency = scene.moe
    scene.chair.save()
    assert _stalled_ids(scene.fund_manager) == []  # within STALLED_CACHE_SECONDS
    cache.delete(home.STALLED_CACHE_KEY)  # as when they have passed
    assert _stalled_ids(scene.fund_manager) == [scene.proposal.pk]
    settings.STALLED_CACHE_SECONDS = 0
    scene.chair.agency = None
    scene.chair.save()
    assert _stalled_ids(scene.fund_manager) == []


def test_a_conflicted_fund_manager_still_sees_none_of_theirs(scene, kept):
    scene.chair.agency = scene.moe
    scene.chair.save()
    assert _stalled_ids(scene.fund_manager) == [scene.proposal.pk]
    scene.fund_manager.agency = scene.moh  # the lead's agency
    scene.fund_manager.save()
    assert _stalled_ids(scene.fund_manager) == []


def test_administrators_steps_without_a_fund_manager_are_kept_and_asked_again(scene, kept):
    from people.factories import UserFactory
    from proposals.factories import ProposalFactory

    admin = UserFactory(is_superuser=True, is_staff=True, agency=None)
    waiting = ProposalFactory(round=scene.round, lead=scene.lead, submitted=True, partners=[])
    scene.fund_manager.agency = scene.moh  # the lead's agency: the only fund manager may not
    scene.fund_manager.save()
    assert waiting.pk in _stalled_ids(admin)
    first = _queries(admin)
    cache.clear()
    assert first < _queries(admin)  # kept: the search is not made again
    scene.fund_manager.agency = None  # now free to act
    scene.fund_manager.save()
    assert waiting.pk not in _stalled_ids(admin)  # the kept ids are asked again
