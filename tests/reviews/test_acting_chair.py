"""The acting chair (chair, deputy chair, stand-in), chairs who may not submit in their round,
and proposals that would stall without a chair (issue 12, examples 2 and 3)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.services import proposal_submit
from reviews import services
from reviews.chairs import acting_chair, stalled_proposals
from reviews.factories import PanelFactory
from reviews.models import PanelStandIn
from reviews.planning import build_plan
from workflow.services import available_transitions

from .conftest import full_scores

DUE = "2099-01-31"


def _submit_all(scene, value=4):
    for a in scene.assignments:
        services.assignment_submit_review(
            assignment=a, actor=a.reviewer,
            review={"scores": full_scores(scene.criteria, value), "recommendation": "fund"})


@pytest.fixture
def chair_conflicted(scene):
    """The chair works at MOE, a partner agency of the scene's proposal: example 3."""
    scene.chair.agency = scene.moe
    scene.chair.save()
    _submit_all(scene)
    return scene


def test_a_conflicted_chair_has_no_duty_and_the_proposal_is_listed(chair_conflicted, client):
    scene = chair_conflicted
    assert acting_chair(scene.proposal) is None
    assert "recommend" not in available_transitions(scene.proposal, scene.chair)
    with pytest.raises(PermissionDenied, match="name a stand-in chair"):
        services.proposal_recommend(proposal=scene.proposal, actor=scene.chair, rationale="x")
    stalls = stalled_proposals(viewer=scene.fund_manager)
    assert [s.proposal for s in stalls] == [scene.proposal]
    assert stalls[0].needs_stand_in
    client.force_login(scene.fund_manager)
    home = client.get("/").content.decode()
    assert "Proposals that need a chair or reviewers" in home
    assert f"/reviews/panels/{scene.panel.pk}/stand-ins/{scene.proposal.pk}/" in home


def test_the_deputy_chair_acts_when_the_chair_is_conflicted(chair_conflicted):
    scene = chair_conflicted
    deputy = scene.other_member  # a member from a fourth agency
    services.panel_update(actor=scene.fund_manager, panel=scene.panel, deputy_chair=deputy)
    assert acting_chair(scene.proposal) == deputy
    assert stalled_proposals(viewer=scene.fund_manager) == []
    with pytest.raises(PermissionDenied, match=f"deputy chair, {deputy}"):
        services.proposal_recommend(proposal=scene.proposal, actor=scene.chair, rationale="x")
    services.proposal_recommend(proposal=scene.proposal, actor=deputy, rationale="Sound plan.")
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == Proposal.State.RECOMMENDED


def test_a_deputy_from_the_chairs_agency_is_refused(scene):
    same = UserFactory(agency=scene.chair.agency)
    with pytest.raises(ValidationError) as error:
        services.panel_update(actor=scene.fund_manager, panel=scene.panel, deputy_chair=same)
    assert "another agency" in " ".join(error.value.message_dict["deputy_chair"])


def test_a_stand_in_named_on_the_page_decides(chair_conflicted, client):
    scene = chair_conflicted
    stand_in = scene.other_member
    client.force_login(scene.fund_manager)
    url = f"/reviews/panels/{scene.panel.pk}/stand-ins/{scene.proposal.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and str(stand_in) in page.content.decode()
    response = client.post(url, {"chair": stand_in.pk})
    assert response.status_code == 302
    named = PanelStandIn.objects.get()
    assert (named.chair, named.named_by, named.proposal) == (
        stand_in, scene.fund_manager, scene.proposal)
    assert acting_chair(scene.proposal) == stand_in
    services.proposal_reject(proposal=scene.proposal, actor=stand_in, rationale="Too costly.")
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == Proposal.State.REJECTED


def test_a_stand_in_named_through_the_api(chair_conflicted):
    scene = chair_conflicted
    api = APIClient()
    api.force_authenticate(scene.fund_manager)
    url = f"/api/v1/panels/{scene.panel.pk}/stand-ins/"
    conflicted = scene.members[0]
    conflicted.agency = scene.moh
    conflicted.save()
    refused = api.post(url, {"proposal": scene.proposal.pk, "chair": conflicted.pk},
                       format="json")
    assert refused.status_code == 400 and "Conflict of interest" in str(refused.json())
    made = api.post(url, {"proposal": scene.proposal.pk, "chair": scene.other_member.pk},
                    format="json")
    assert made.status_code == 201, made.content
    assert made.json()["chair"] == scene.other_member.pk
    assert [row["chair"] for row in api.get(url).json()] == [scene.other_member.pk]
    # Not a fund manager: refused.
    api.force_authenticate(scene.chair)
    assert api.post(url, {"proposal": scene.proposal.pk, "chair": scene.other_member.pk},
                    format="json").status_code == 403


def test_a_stand_in_who_becomes_conflicted_lapses(chair_conflicted):
    scene = chair_conflicted
    services.panel_stand_in_name(actor=scene.fund_manager, panel=scene.panel,
                                 proposal=scene.proposal, chair=scene.other_member)
    scene.other_member.agency = scene.moh
    scene.other_member.save()
    assert acting_chair(scene.proposal) is None
    assert [s.proposal for s in stalled_proposals(viewer=scene.fund_manager)] == [scene.proposal]


def test_a_conflicted_fund_manager_cannot_name_a_stand_in(chair_conflicted):
    scene = chair_conflicted
    manager = UserFactory(fund_manager=True, agency=scene.moh)
    assert stalled_proposals(viewer=manager) == []
    with pytest.raises(PermissionDenied, match="another fund manager"):
        services.panel_stand_in_name(actor=manager, panel=scene.panel, proposal=scene.proposal,
                                     chair=scene.other_member)


def test_with_every_fund_manager_conflicted_administrators_see_it(chair_conflicted):
    from people.models import User

    scene = chair_conflicted
    User.objects.filter(pk=scene.fund_manager.pk).update(agency=scene.moh)
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert [s.proposal for s in stalled_proposals(viewer=admin)] == [scene.proposal]


def test_a_panel_short_of_unconflicted_members_is_listed(scene):
    services.assignment_declare_conflict(assignment=scene.assignments[0],
                                         actor=scene.assignments[0].reviewer, reason="Kin")
    scene.other_member.agency = scene.moh
    scene.other_member.save()
    stall = stalled_proposals(viewer=scene.fund_manager)[0]
    assert stall.needs_members == 1 and "Add 1 panel member" in stall.needs[0]


def test_the_plan_hides_proposals_the_chair_may_not_assign(scene):
    """Example 2: the chair's agency leads a proposal; the plan shows nothing of it."""
    chairs_own = ProposalFactory(round=scene.round, in_review=True,
                                 lead=UserFactory(agency=scene.chair.agency))
    planned = [row.proposal for row in build_plan(scene.panel, viewer=scene.chair).rows]
    assert chairs_own not in planned and scene.proposal in planned
    assert chairs_own in [row.proposal for row in
                          build_plan(scene.panel, viewer=scene.fund_manager).rows]


def test_the_plan_page_does_not_show_a_conflicted_proposal(scene, client):
    chairs_own = ProposalFactory(round=scene.round, in_review=True, title="Chair's own idea",
                                 lead=UserFactory(agency=scene.chair.agency))
    client.force_login(scene.chair)
    page = client.get(f"/reviews/panels/{scene.panel.pk}/plan/").content.decode()
    assert chairs_own.title not in page and scene.proposal.title in page


def test_a_chair_may_not_submit_a_proposal_in_the_round(scene):
    own = ProposalFactory(round=scene.round, lead=scene.chair, ready=True,
                          partners=[AgencyFactory(), AgencyFactory()])
    from datetime import timedelta

    from django.utils import timezone

    type(scene.round).objects.filter(pk=scene.round.pk).update(
        state="open", closes_at=timezone.now() + timedelta(days=30))
    with pytest.raises(ValidationError, match="chairs, deputises"):
        proposal_submit(proposal=own, actor=scene.chair)
    as_member = ProposalFactory(round=scene.round, ready=True,
                                partners=[AgencyFactory(), AgencyFactory()])
    TeamMemberFactory(proposal=as_member, user=scene.chair)
    with pytest.raises(ValidationError, match="chairs, deputises"):
        proposal_submit(proposal=as_member, actor=as_member.lead)


def test_someone_with_a_submitted_proposal_is_never_named_chair(scene):
    applicant = UserFactory(agency=AgencyFactory())
    ProposalFactory(round=scene.round, lead=applicant, submitted=True)
    with pytest.raises(ValidationError, match="submitted in this round"):
        services.panel_update(actor=scene.fund_manager, panel=scene.panel, chair=applicant)
    with pytest.raises(ValidationError, match="submitted in this round"):
        services.panel_create(actor=scene.fund_manager, round_=scene.round, name="Second",
                              chair=UserFactory(agency=AgencyFactory()),
                              deputy_chair=applicant)
    scene.panel.members.add(applicant)
    conflicted_scene_chair = scene.chair
    conflicted_scene_chair.agency = scene.moh
    conflicted_scene_chair.save()
    with pytest.raises(ValidationError, match="submitted in this round"):
        services.panel_stand_in_name(actor=scene.fund_manager, panel=scene.panel,
                                     proposal=scene.proposal, chair=applicant)


def test_a_second_panel_does_not_give_its_chair_every_proposal(scene):
    """Example 3's way out no longer widens anyone's duty: a chair acts on their own panel's
    proposals only."""
    other_chair = UserFactory(agency=AgencyFactory())
    second = PanelFactory(round=scene.round, chair=other_chair)
    Proposal.objects.filter(pk=scene.proposal.pk).update(panel=scene.panel)
    scene.proposal.refresh_from_db()
    _submit_all(scene)
    assert acting_chair(scene.proposal) == scene.chair
    with pytest.raises(PermissionDenied):
        services.proposal_recommend(proposal=scene.proposal, actor=other_chair, rationale="x")
    assert second.pk != scene.panel.pk


def test_send_to_review_asks_which_panel_when_the_round_has_several(scene):
    from proposals.services.drafting import proposal_send_to_review

    PanelFactory(round=scene.round)
    waiting = ProposalFactory(round=scene.round, submitted=True)
    with pytest.raises(ValidationError, match="several panels"):
        proposal_send_to_review(proposal=waiting, actor=scene.fund_manager)
    api = APIClient()
    api.force_authenticate(scene.fund_manager)
    response = api.post(f"/api/v1/proposals/{waiting.pk}/transitions/send_to_review/",
                        {"panel": scene.panel.pk}, format="json")
    assert response.status_code == 200, response.content
    waiting.refresh_from_db()
    assert waiting.panel == scene.panel


def test_administrators_see_money_steps_no_fund_manager_may_take(db):
    from people.models import User
    from reviews.chairs import steps_without_fund_manager

    ministry = AgencyFactory()
    manager = UserFactory(fund_manager=True, agency=ministry)
    waiting = ProposalFactory(recommended=True, lead=UserFactory(agency=ministry))
    free = ProposalFactory(recommended=True)
    admin = UserFactory(is_superuser=True, is_staff=True)
    listed = [s.proposal for s in steps_without_fund_manager(viewer=admin)]
    assert waiting in listed and free not in listed
    assert "fund or decline it" in steps_without_fund_manager(viewer=admin)[0].needs[0]
    assert steps_without_fund_manager(viewer=manager) == []
    User.objects.filter(pk=manager.pk).update(agency=AgencyFactory())
    assert steps_without_fund_manager(viewer=admin) == []


def test_a_stand_in_is_named_only_for_a_proposal_the_panel_is_reviewing(scene):
    waiting = ProposalFactory(round=scene.round, submitted=True)
    with pytest.raises(ValidationError):
        services.panel_stand_in_name(actor=scene.fund_manager, panel=scene.panel,
                                     proposal=waiting, chair=scene.other_member)
