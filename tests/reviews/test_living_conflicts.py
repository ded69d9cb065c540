"""Conflicts of interest are living facts: recomputed whenever their inputs change, in every
channel (issue 12, example 1), and a flagged review never counts again."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from people.factories import AgencyFactory
from proposals.models import Proposal
from proposals.services import proposal_submit, proposal_update
from proposals.services.drafting import proposal_request_revision, proposal_send_to_review
from reviews import services
from reviews.models import Assignment
from reviews.selectors import ranking_rows
from workflow.models import TransitionLog

from .conftest import full_scores


def _submit(assignment, criteria, value):
    services.assignment_submit_review(
        assignment=assignment, actor=assignment.reviewer,
        review={"scores": full_scores(criteria, value), "recommendation": "fund"})


@pytest.fixture
def reviewed(scene):
    """The scene's proposal with three submitted reviews: 5s from the first member (100) and 2s
    from the others (40 each): a mean of 60."""
    for assignment, value in zip(scene.assignments, (5, 2, 2), strict=True):
        _submit(assignment, scene.criteria, value)
    return scene


def _row(scene, viewer):
    rows = ranking_rows(round_=scene.round, viewer=viewer)
    return next(r for r in rows if r["proposal"].pk == scene.proposal.pk)


def _revise_with_partner(scene, agency, *, via_api=False):
    proposal_request_revision(proposal=scene.proposal, actor=scene.chair,
                              message="Bring in the agency that runs the clinics.")
    partners = [*scene.proposal.partner_agencies.all(), agency]
    if via_api:
        client = APIClient()
        client.force_authenticate(scene.lead)
        response = client.patch(f"/api/v1/proposals/{scene.proposal.pk}/",
                                {"partner_agencies": [a.pk for a in partners]}, format="json")
        assert response.status_code == 200, response.content
    else:
        proposal_update(actor=scene.lead, proposal=scene.proposal, partner_agencies=partners)


@pytest.mark.parametrize("via_api", [False, True], ids=["service", "api"])
def test_a_partner_added_in_revision_flags_that_agencys_review(reviewed, via_api):
    scene = reviewed
    assert _row(scene, scene.fund_manager)["mean_weighted_score"] == 60
    lenient = scene.assignments[0]
    _revise_with_partner(scene, lenient.reviewer.agency, via_api=via_api)

    lenient.refresh_from_db()
    assert lenient.state == Assignment.State.CONFLICT
    log = TransitionLog.objects.for_object(lenient).get(transition="flag_conflict")
    assert (log.from_state, log.to_state, log.actor) == ("submitted", "conflict", scene.lead)
    assert "partner agency" in log.note
    # The review stays stored as evidence but counts nowhere.
    assert hasattr(lenient, "review")

    proposal_submit(proposal=scene.proposal, actor=scene.lead)
    proposal_send_to_review(proposal=scene.proposal, actor=scene.fund_manager)
    row = _row(scene, scene.fund_manager)
    assert (row["mean_weighted_score"], row["review_count"]) == (40, 2)
    with pytest.raises(ValidationError, match="it has 2"):
        services.proposal_recommend(proposal=scene.proposal, actor=scene.chair,
                                    rationale="Strong")


def test_a_reviewers_agency_change_flags_open_and_submitted_assignments(reviewed):
    scene = reviewed
    reviewer = scene.assignments[1].reviewer
    reviewer.agency = scene.moh  # the lead's agency, e.g. after an HR import
    reviewer.save()
    scene.assignments[1].refresh_from_db()
    assert scene.assignments[1].state == Assignment.State.CONFLICT
    assert _row(scene, scene.fund_manager)["review_count"] == 2


def test_the_agency_changed_signal_flags_what_an_import_changed(reviewed):
    from people.models import User
    from people.signals import agency_changed

    scene = reviewed
    reviewer = scene.assignments[2].reviewer
    User.objects.filter(pk=reviewer.pk).update(agency=scene.moe)  # a bulk update: no save()
    agency_changed.send(sender=User, people=[reviewer.pk], actor=scene.fund_manager)
    flagged = Assignment.objects.get(pk=scene.assignments[2].pk)
    assert flagged.state == Assignment.State.CONFLICT
    log = TransitionLog.objects.for_object(flagged).get(transition="flag_conflict")
    assert log.actor == scene.fund_manager


def test_a_decided_panel_keeps_its_reviews(reviewed):
    scene = reviewed
    services.proposal_recommend(proposal=scene.proposal, actor=scene.chair, rationale="Good")
    reviewer = scene.assignments[0].reviewer
    reviewer.agency = scene.moh
    reviewer.save()
    scene.assignments[0].refresh_from_db()
    assert scene.assignments[0].state == Assignment.State.SUBMITTED


def test_conflict_is_final_even_when_the_partner_goes_again(reviewed):
    scene = reviewed
    lenient = scene.assignments[0]
    agency = lenient.reviewer.agency
    _revise_with_partner(scene, agency)
    proposal_update(actor=scene.lead, proposal=scene.proposal,
                    partner_agencies=[a for a in scene.proposal.partner_agencies.all()
                                      if a.pk != agency.pk])
    lenient.refresh_from_db()
    assert lenient.state == Assignment.State.CONFLICT
    with pytest.raises(ValidationError):
        services.assignment_create(actor=scene.fund_manager, proposal=scene.proposal,
                                   reviewer=lenient.reviewer, panel=scene.panel,
                                   due_on=lenient.due_on)


def test_the_flagged_reviewer_loses_access_and_is_told(reviewed, client,
                                                      django_capture_on_commit_callbacks):
    from notifications.models import Notification

    scene = reviewed
    lenient = scene.assignments[0]
    with django_capture_on_commit_callbacks(execute=True):
        _revise_with_partner(scene, lenient.reviewer.agency)
    assert Notification.objects.filter(recipient=lenient.reviewer,
                                       title__contains="conflict of interest arose").exists()
    told = set(Notification.objects.filter(title__startswith="A reviewer has a conflict")
               .values_list("recipient__username", flat=True))
    assert {"chair", "fm"} <= told
    client.force_login(lenient.reviewer)
    assert client.get(f"/proposals/{scene.proposal.pk}/").status_code == 404


def test_an_unrelated_agency_change_flags_nothing(reviewed):
    scene = reviewed
    reviewer = scene.assignments[0].reviewer
    reviewer.agency = AgencyFactory()
    reviewer.save()
    assert not Assignment.objects.filter(state=Assignment.State.CONFLICT).exists()
    assert Proposal.objects.get(pk=scene.proposal.pk).state == Proposal.State.IN_REVIEW
