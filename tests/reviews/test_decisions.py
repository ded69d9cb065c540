"""The panel's decisions on a proposal: quorum, rationale, the chair only, logged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from proposals.models import Proposal
from proposals.services import PROPOSAL_TRANSITIONS
from reviews import services
from reviews.factories import PanelFactory
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict

from .conftest import full_scores


def _submit(assignments, criteria, value=4):
    for a in assignments:
        services.assignment_submit_review(
            assignment=a, actor=a.reviewer,
            review={"scores": full_scores(criteria, value), "recommendation": "fund"})


def test_registered_by_name():
    assert PROPOSAL_TRANSITIONS["recommend"] is services.proposal_recommend
    assert PROPOSAL_TRANSITIONS["reject"] is services.proposal_reject


@pytest.mark.parametrize("name", ["recommend", "reject"])
def test_decision_needs_quorum(scene, name):
    _submit(scene.assignments[:2], scene.criteria)  # 2 of the 3 required
    with pytest.raises(ValidationError) as error:
        PROPOSAL_TRANSITIONS[name](proposal=scene.proposal, actor=scene.chair,
                                   rationale="Strong case")
    assert "needs 3 submitted reviews" in str(error.value)
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == Proposal.State.IN_REVIEW


def test_declared_conflicts_do_not_count_towards_quorum(scene):
    _submit(scene.assignments[:2], scene.criteria)
    third = scene.assignments[2]
    services.assignment_declare_conflict(assignment=third, actor=third.reviewer, reason="Kin")
    with pytest.raises(ValidationError, match="it has 2"):
        services.proposal_reject(proposal=scene.proposal, actor=scene.chair, rationale="Weak")


@pytest.mark.parametrize("name, target", [("recommend", "recommended"), ("reject", "rejected")])
def test_decision_at_quorum_with_rationale_is_logged(scene, name, target):
    _submit(scene.assignments, scene.criteria)
    with pytest.raises(ValidationError) as error:
        PROPOSAL_TRANSITIONS[name](proposal=scene.proposal, actor=scene.chair, rationale=" ")
    assert "rationale" in error.value.message_dict
    PROPOSAL_TRANSITIONS[name](proposal=scene.proposal, actor=scene.chair,
                               rationale="The panel agreed.")
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == target
    log = TransitionLog.objects.for_object(scene.proposal).get()
    assert (log.transition, log.actor, log.note) == (name, scene.chair, "The panel agreed.")


def test_only_an_unconflicted_chair_of_the_round_decides(scene):
    _submit(scene.assignments, scene.criteria)
    other_round_chair = PanelFactory().chair
    for user in (scene.members[0], scene.fund_manager, scene.lead, other_round_chair,
                 scene.hr_officer):
        with pytest.raises(PermissionDenied):
            services.proposal_recommend(proposal=scene.proposal, actor=user, rationale="Yes")
    scene.chair.agency = scene.moe  # now a partner agency's staff
    scene.chair.save()
    with pytest.raises(PermissionDenied):
        services.proposal_recommend(proposal=scene.proposal, actor=scene.chair, rationale="Yes")


def test_decision_in_the_wrong_state_is_a_state_conflict(scene):
    Proposal.objects.filter(pk=scene.proposal.pk).update(state=Proposal.State.SUBMITTED)
    with pytest.raises(TransitionStateConflict):
        services.proposal_reject(proposal=scene.proposal, actor=scene.chair, rationale="No")


def test_api_transition_answers_400_then_200_then_409(scene):
    client = APIClient()
    client.force_authenticate(scene.chair)
    url = f"/api/v1/proposals/{scene.proposal.pk}/transitions/recommend/"
    early = client.post(url, {"rationale": "Good"}, format="json")
    assert early.status_code == 400, early.json()
    _submit(scene.assignments, scene.criteria)
    missing = client.post(url, {}, format="json")
    assert missing.status_code == 400 and "rationale" in missing.json()
    done = client.post(url, {"rationale": "Good value for citizens"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "recommended"
    again = client.post(url, {"rationale": "Again"}, format="json")
    assert again.status_code == 409 and again.json()["state"] == "recommended"
    member = APIClient()
    member.force_authenticate(scene.members[0])
    reject = member.post(f"/api/v1/proposals/{scene.proposal.pk}/transitions/reject/",
                         {"rationale": "x"}, format="json")
    assert reject.status_code in (403, 409)


def test_chair_requests_a_revision_with_a_message(scene):
    PROPOSAL_TRANSITIONS["request_revision"](proposal=scene.proposal, actor=scene.chair,
                                             note="Add a comparison district.")
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == Proposal.State.REVISION_REQUESTED
