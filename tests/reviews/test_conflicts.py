"""Conflicts of interest prevent assignment (page, API, admin) and scoring; the refusal
names the reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from people.factories import UserFactory
from proposals.conflicts import conflict_q, conflict_reason
from proposals.factories import ProposalFactory
from reviews import services
from reviews.admin import AssignmentAdminForm
from reviews.models import Assignment

from .conftest import full_scores

DUE = timezone.localdate() + timedelta(days=10)


def _kinds(scene):
    """Each kind of conflict: (who, words the refusal must contain)."""
    return {
        "lead": (scene.lead, "leads this proposal"),
        "team": (scene.team_member, "on this proposal's team"),
        "lead_agency": (UserFactory(agency=scene.moh), "the lead's agency"),
        "partner_agency": (UserFactory(agency=scene.moe), "a partner agency"),
    }


@pytest.mark.parametrize("kind", ["lead", "team", "lead_agency", "partner_agency"])
def test_each_conflict_prevents_assignment_by_service(scene, kind):
    user, words = _kinds(scene)[kind]
    scene.panel.members.add(user)
    with pytest.raises(ValidationError) as error:
        services.assignment_create(actor=scene.chair, proposal=scene.proposal, reviewer=user,
                                   panel=scene.panel, due_on=DUE)
    assert any(words in m for m in error.value.message_dict["reviewer"])
    assert not Assignment.objects.filter(reviewer=user).exists()


@pytest.mark.parametrize("kind", ["lead", "team", "lead_agency", "partner_agency"])
def test_each_conflict_prevents_assignment_by_api(scene, kind):
    user, words = _kinds(scene)[kind]
    scene.panel.members.add(user)
    client = APIClient()
    client.force_authenticate(scene.chair)
    response = client.post("/api/v1/assignments/", {
        "proposal": scene.proposal.pk, "reviewer": user.pk, "panel": scene.panel.pk,
        "due_on": DUE.isoformat(),
    }, format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()["reviewer"])


@pytest.mark.parametrize("kind", ["lead", "team", "lead_agency", "partner_agency"])
def test_each_conflict_prevents_assignment_in_admin(scene, kind, admin_user):
    user, words = _kinds(scene)[kind]
    scene.panel.members.add(user)
    form_class = type("F", (AssignmentAdminForm,), {"request_user": admin_user})
    form = form_class(data={"proposal": scene.proposal.pk, "reviewer": user.pk,
                            "panel": scene.panel.pk, "due_on": DUE.isoformat()})
    assert not form.is_valid()
    assert words in " ".join(form.errors["reviewer"])


def test_admin_form_accepts_an_unconflicted_member(scene, admin_user):
    newcomer = UserFactory()
    scene.panel.members.add(newcomer)
    form_class = type("F", (AssignmentAdminForm,), {"request_user": admin_user})
    form = form_class(data={"proposal": scene.proposal.pk, "reviewer": newcomer.pk,
                            "panel": scene.panel.pk, "due_on": DUE.isoformat()})
    assert form.is_valid(), form.errors


def test_conflict_arising_after_assignment_prevents_scoring(scene):
    assignment = scene.assignments[0]
    scene.proposal.partner_agencies.add(assignment.reviewer.agency)
    with pytest.raises(ValidationError) as error:
        services.review_save(assignment=assignment, actor=assignment.reviewer,
                             scores=full_scores(scene.criteria), recommendation="fund")
    assert "partner agency" in str(error.value)
    assert not hasattr(Assignment.objects.get(pk=assignment.pk), "review")


def test_declared_conflict_prevents_scoring_and_reassignment(scene):
    assignment = scene.assignments[0]
    services.assignment_declare_conflict(assignment=assignment, actor=assignment.reviewer,
                                         reason="My brother is on the team.")
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.CONFLICT
    with pytest.raises(ValidationError, match="declared a conflict"):
        services.review_save(assignment=assignment, actor=assignment.reviewer,
                             scores=full_scores(scene.criteria), recommendation="fund")
    with pytest.raises(ValidationError) as error:
        services.assignment_create(actor=scene.chair, proposal=scene.proposal,
                                   reviewer=assignment.reviewer, panel=scene.panel, due_on=DUE)
    assert "declared a conflict" in " ".join(error.value.message_dict["reviewer"])


def test_declaring_a_conflict_needs_a_reason_and_is_logged(scene):
    from workflow.models import TransitionLog

    assignment = scene.assignments[0]
    with pytest.raises(ValidationError) as error:
        services.assignment_declare_conflict(assignment=assignment, actor=assignment.reviewer,
                                             reason="  ")
    assert "reason" in error.value.message_dict
    services.assignment_declare_conflict(assignment=assignment, actor=assignment.reviewer,
                                         reason="Former supervisor of the lead.")
    log = TransitionLog.objects.for_object(assignment).get()
    assert (log.transition, log.to_state, log.actor) == (
        "declare_conflict", "conflict", assignment.reviewer)
    assert log.note == "Former supervisor of the lead."


def test_conflicted_chair_may_not_assign(scene):
    scene.chair.agency = scene.moh
    scene.chair.save()
    newcomer = UserFactory()
    scene.panel.members.add(newcomer)
    with pytest.raises(ValidationError, match="conflict of interest with this proposal"):
        services.assignment_create(actor=scene.chair, proposal=scene.proposal,
                                   reviewer=newcomer, panel=scene.panel, due_on=DUE)


def test_conflict_q_matches_conflict_reason(scene):
    """The database rule and the Python rule agree for every kind and for a free person."""
    from proposals.models import Proposal

    people = [u for u, _ in _kinds(scene).values()] + [scene.members[0], scene.stranger]
    other = ProposalFactory(in_review=True)
    for user in people:
        for proposal in (scene.proposal, other):
            in_db = Proposal.objects.filter(conflict_q(user), pk=proposal.pk).exists()
            assert in_db == (conflict_reason(user, proposal) is not None), (user, proposal)
            # The same rule asked row by row (the home page's sections), either way round.
            probed = Proposal.objects.filter(conflict_q(user, probe=True), pk=proposal.pk)
            assert probed.exists() == in_db, (user, proposal)
            free = Proposal.objects.exclude(conflict_q(user, probe=True)).filter(pk=proposal.pk)
            assert free.exists() is not in_db, (user, proposal)
