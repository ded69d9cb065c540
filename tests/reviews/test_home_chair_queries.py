"""The home page asks the database who acts as chair and what is stalled (reviews/chair_queries.py,
issue 16) instead of loading every proposal under review: on each scene it must find exactly
what the reviews rules find in Python (reviews.chairs, reviews.selectors). The acting chair is
read from its store (ProposalActingChair): on each scene the stored chair of every proposal is
the rule's (`reviews.chairs.acting_chair`)."""

import pytest

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from reviews import services
from reviews.chairs import (
    PANEL_STATES,
    acting_chair,
    is_acting_chair,
    panels_with_chair_duty,
    proposals_where_acting_chair,
    refresh_acting_chairs,
    stalled_proposals,
    stored_acting_chairs,
)
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment
from reviews.selectors import proposals_awaiting_decision, proposals_short_of_reviewers
from reviews.views import chair_lists

from .conftest import full_scores


def _home(user):
    from portal import home

    return home.chair_sections(user=user), home.stalled_section(user=user)


def _ids(items):
    return {getattr(item, "proposal", item).pk for item in items}


def rule_chairs() -> dict:
    """{proposal id: the rule's acting chair id} for every proposal in a panel's states that
    has one, asked of `acting_chair` one proposal at a time (no prefetching)."""
    found = {}
    for proposal in Proposal.objects.filter(state__in=PANEL_STATES):
        chair = acting_chair(proposal)
        if chair is not None:
            found[proposal.pk] = chair.pk
    return found


def assert_store_agrees():
    """Every proposal's stored acting chair is the rule's; no other proposal has one."""
    assert stored_acting_chairs() == rule_chairs()


def assert_home_agrees(scene, *people):
    from django.db.models import Exists, F, OuterRef

    from reviews.chair_queries import acting_chair_is, with_review_counts

    assert_store_agrees()
    rule = rule_chairs()
    for person in {scene.chair, scene.other_member, *scene.members, *people}:
        person.refresh_from_db()
        in_review = with_review_counts(Proposal.objects.filter(state=Proposal.State.IN_REVIEW))
        mine = acting_chair_is(person, in_review)
        expected = {pk for pk, chair in rule.items() if chair == person.pk} & set(
            in_review.values_list("pk", flat=True))
        assert set(mine.values_list("pk", flat=True)) == expected, person
        assert _ids(proposals_where_acting_chair(
            person, states=(Proposal.State.IN_REVIEW,))) == expected, person
        own_open = Assignment.objects.filter(proposal=OuterRef("pk"), reviewer=person,
                                             state=Assignment.State.ASSIGNED)
        at_quorum = mine.filter(submitted_reviews__gte=F("round__reviews_required")).exclude(
            Exists(own_open))
        assert set(at_quorum.values_list("pk", flat=True)) == _ids(
            proposals_awaiting_decision(chair=person)), person
        short = mine.filter(active_reviewers__lt=F("round__reviews_required"))
        assert set(short.values_list("pk", flat=True)) == _ids(
            proposals_short_of_reviewers(chair=person)), person
        chair, _ = _home(person)
        if chair:
            assert _ids(chair["awaiting_decision"]["items"]) <= _ids(
                proposals_awaiting_decision(chair=person))
        waiting, short_list = chair_lists(person, list(panels_with_chair_duty(person)))
        assert _ids(waiting) <= _ids(proposals_awaiting_decision(chair=person)), person
        assert _ids(short_list) <= _ids(proposals_short_of_reviewers(chair=person)), person
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
    refresh_acting_chairs([busy.proposal.pk])  # update() sends no signal
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


def _chair_reviews_too(scene):
    scene.panel.members.add(scene.chair)
    return AssignmentFactory(proposal=scene.proposal, panel=scene.panel, reviewer=scene.chair)


def test_a_chair_whose_own_review_is_open_is_not_told_the_others_reached_quorum(busy):
    """Blind review (found by an outsider's attack): the list "waiting for the panel's
    decision" would tell a chair, before they submit their own review, that the others'
    reviews reached quorum. It leaves the proposal out until they submit."""
    own = _chair_reviews_too(busy)
    _submit_all(busy)  # the three others: quorum (3) reached without the chair's
    assert_home_agrees(busy)
    chair, _ = _home(busy.chair)
    assert busy.proposal.pk not in _ids(chair["awaiting_decision"]["items"])
    waiting, short = chair_lists(busy.chair, list(panels_with_chair_duty(busy.chair)))
    assert busy.proposal.pk not in _ids(waiting) | _ids(short)
    services.assignment_submit_review(
        assignment=own, actor=busy.chair,
        review={"scores": full_scores(busy.criteria), "recommendation": "fund"})
    assert_home_agrees(busy)
    chair, _ = _home(busy.chair)
    assert busy.proposal.pk in _ids(chair["awaiting_decision"]["items"])
    waiting, _ = chair_lists(busy.chair, list(panels_with_chair_duty(busy.chair)))
    assert busy.proposal.pk in _ids(waiting)


def test_a_chair_who_declared_a_conflict_does_not_act_as_chair(busy):
    """A conflict the chair declared on their own assignment (found by an outsider's attack)
    blocks their chair's duty like the rule's conflicts: the deputy acts, or a stand-in is
    needed; the chair is never named stand-in for it."""
    own = _chair_reviews_too(busy)
    _submit_all(busy)
    assert is_acting_chair(busy.chair, busy.proposal)
    services.assignment_declare_conflict(assignment=own, actor=busy.chair, reason="My cousin")
    busy.proposal.refresh_from_db()
    assert not is_acting_chair(busy.chair, busy.proposal)
    assert_home_agrees(busy)
    chair, _ = _home(busy.chair)
    assert busy.proposal.pk not in _ids(chair.get("awaiting_decision", {}).get("items", []))
    _, stalled = _home(busy.fund_manager)
    assert busy.proposal.pk in _ids(stalled["items"])  # nobody may chair it now
    services.panel_update(actor=busy.fund_manager, panel=busy.panel,
                          deputy_chair=busy.other_member)
    assert is_acting_chair(busy.other_member, busy.proposal)
    assert_home_agrees(busy)


def test_a_member_who_declared_a_conflict_is_not_named_stand_in(busy):
    from django.core.exceptions import ValidationError

    busy.chair.agency = busy.moe
    busy.chair.save()
    declared = busy.assignments[0]
    services.assignment_declare_conflict(assignment=declared, actor=declared.reviewer,
                                         reason="Kin")
    with pytest.raises(ValidationError, match="declared a conflict"):
        services.panel_stand_in_name(actor=busy.fund_manager, panel=busy.panel,
                                     proposal=busy.proposal, chair=declared.reviewer)
