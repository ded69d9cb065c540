"""The home page asks the database who acts as chair and what is stalled (reviews/chair_queries.py,
issue 16) instead of loading every proposal under review: on each scene it must find exactly
what the reviews rules find in Python (reviews.chairs, reviews.selectors)."""

import pytest

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from reviews import services
from reviews.chairs import proposals_where_acting_chair, stalled_proposals
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.selectors import proposals_awaiting_decision, proposals_short_of_reviewers

from .conftest import full_scores


def _home(user):
    from portal import home

    return home.chair_sections(user=user), home.stalled_section(user=user)


def _ids(items):
    return {getattr(item, "proposal", item).pk for item in items}


def assert_home_agrees(scene, *people):
    from django.db.models import F

    from reviews.chair_queries import acting_chair_is, with_duty_panel, with_review_counts

    for person in {scene.chair, scene.other_member, *scene.members, *people}:
        person.refresh_from_db()
        in_review = with_review_counts(with_duty_panel(
            Proposal.objects.filter(state=Proposal.State.IN_REVIEW)))
        mine = acting_chair_is(person, in_review)
        assert set(mine.values_list("pk", flat=True)) == _ids(
            proposals_where_acting_chair(person, states=(Proposal.State.IN_REVIEW,))), person
        at_quorum = mine.filter(submitted_reviews__gte=F("round__reviews_required"))
        assert set(at_quorum.values_list("pk", flat=True)) == _ids(
            proposals_awaiting_decision(chair=person)), person
        short = mine.filter(active_reviewers__lt=F("round__reviews_required"))
        assert set(short.values_list("pk", flat=True)) == _ids(
            proposals_short_of_reviewers(chair=person)), person
        chair, _ = _home(person)
        if chair:
            assert _ids(chair["awaiting_decision"]["items"]) <= _ids(
                proposals_awaiting_decision(chair=person))
    for viewer in (scene.fund_manager, *[p for p in people if p.is_superuser]):
        _, stalled = _home(viewer)
        expected = _ids(stalled_proposals(viewer=viewer))
        assert _ids(stalled["items"]) == expected and stalled["count"] >= len(expected), viewer
        shown = {s.proposal.pk: s.needs for s in stalled["items"]}
        for stall in stalled_proposals(viewer=viewer):
            assert shown[stall.proposal.pk] == stall.needs


def _submit_all(scene):
    for a in scene.assignments:
        services.assignment_submit_review(
            assignment=a, actor=a.reviewer,
            review={"scores": full_scores(scene.criteria), "recommendation": "fund"})


@pytest.fixture
def busy(scene):
    """Beside the scene's proposal: others in the same round, at quorum, short, one with a
    lead from the chair's agency, one from the other member's agency."""
    others = [ProposalFactory(round=scene.round, in_review=True, partners=[], budget=False)
              for _ in range(3)]
    for reviewer in scene.members[:2]:
        AssignmentFactory(proposal=others[0], panel=scene.panel, reviewer=reviewer)
    agency = AgencyFactory(code="MOIT")
    scene.chair.agency = agency
    scene.chair.save()
    ProposalFactory(round=scene.round, in_review=True, partners=[], budget=False,
                    lead=UserFactory(agency=agency))
    return scene


def test_the_chair_acts(busy):
    assert_home_agrees(busy)


def test_at_quorum(busy):
    _submit_all(busy)
    assert_home_agrees(busy)


def test_the_deputy_acts_when_the_chair_is_conflicted(busy):
    busy.chair.agency = busy.moe
    busy.chair.save()
    _submit_all(busy)
    assert_home_agrees(busy)
    services.panel_update(actor=busy.fund_manager, panel=busy.panel,
                          deputy_chair=busy.other_member)
    assert_home_agrees(busy)


def test_a_stand_in_then_lapses(busy):
    busy.chair.agency = busy.moe
    busy.chair.save()
    _submit_all(busy)
    services.panel_stand_in_name(actor=busy.fund_manager, panel=busy.panel,
                                 proposal=busy.proposal, chair=busy.other_member)
    assert_home_agrees(busy)
    busy.other_member.agency = busy.moh
    busy.other_member.save()
    assert_home_agrees(busy)


def test_an_hr_officer_or_inactive_chair_does_not_act(busy):
    busy.chair.is_active = False
    busy.chair.save()
    assert_home_agrees(busy)


def test_a_panel_short_of_unconflicted_members(busy):
    services.assignment_declare_conflict(assignment=busy.assignments[0],
                                         actor=busy.assignments[0].reviewer, reason="Kin")
    busy.other_member.agency = busy.moh
    busy.other_member.save()
    assert_home_agrees(busy)


def test_a_round_with_two_panels_and_a_proposal_without_one(busy):
    PanelFactory(round=busy.round, chair=UserFactory(), members=[UserFactory()])
    Proposal.objects.filter(pk=busy.proposal.pk).update(panel=None)
    assert_home_agrees(busy)


def test_administrators_when_every_fund_manager_is_conflicted(busy):
    admin = UserFactory(is_superuser=True, is_staff=True, agency=None)
    busy.chair.agency = busy.moe
    busy.chair.save()
    busy.fund_manager.agency = busy.moe
    busy.fund_manager.save()
    assert_home_agrees(busy, admin)
    _, stalled = _home(admin)
    assert busy.proposal.pk in _ids(stalled["items"])
