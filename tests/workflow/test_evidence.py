"""Evidence is permanent (issue 13, example 2): no interface, the admin included, deletes what
a decision or a record rests on; people and agencies are deactivated instead."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from fund.models import Award, Tranche
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment, Panel, Review, Score
from workflow.models import TransitionLog
from workflow.services import run_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed():
    panel = PanelFactory()
    proposal = ProposalFactory(round=panel.round, in_review=True)
    assignments = [AssignmentFactory(proposal=proposal, panel=panel, submitted=True)
                   for _ in range(3)]
    return panel, proposal, assignments


def test_a_panel_with_submitted_reviews_cannot_be_deleted(reviewed):
    panel, _, assignments = reviewed
    with pytest.raises(ProtectedError), transaction.atomic():
        panel.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Panel.objects.filter(pk=panel.pk).delete()
    assert Review.objects.filter(assignment__in=assignments).count() == 3
    assert Score.objects.filter(review__assignment__in=assignments).count() == 18
    assert Assignment.objects.filter(panel=panel).count() == 3


def test_submitted_reviews_and_scores_cannot_be_deleted(reviewed):
    _, _, assignments = reviewed
    review = assignments[0].review
    with pytest.raises(ProtectedError), transaction.atomic():
        review.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        review.scores.all().delete()


def test_anything_with_a_recorded_history_is_kept():
    proposal = ProposalFactory(ready=True)
    log = TransitionLog.objects.create(subject=proposal, transition="submit", from_state="draft",
                                       to_state="submitted", actor=proposal.lead)
    assert log.pk
    with pytest.raises(ProtectedError), transaction.atomic():
        proposal.delete()


def test_awards_and_tranches_are_never_deleted():
    from tests.awards.conftest import make_award

    award = make_award(ProposalFactory(funded=True))
    with pytest.raises(ProtectedError), transaction.atomic():
        award.tranches.first().delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Award.objects.filter(pk=award.pk).delete()
    assert Tranche.objects.filter(award=award).exists()


def test_people_and_agencies_once_referenced_are_deactivated_not_deleted(reviewed):
    _, proposal, _ = reviewed
    with pytest.raises(ProtectedError), transaction.atomic():
        proposal.lead.delete()
    agency = proposal.lead.agency
    with pytest.raises(ProtectedError), transaction.atomic():
        agency.delete()
    UserFactory(agency=None).delete()  # never referenced: may go
    AgencyFactory().delete()


def test_an_unsubmitted_draft_review_may_still_be_rewritten(reviewed):
    panel, proposal, _ = reviewed
    open_ = AssignmentFactory(proposal=proposal, panel=panel, review=True)
    open_.review.scores.all().delete()  # a draft's scores are replaced on every save
    assert not open_.review.scores.exists()


def test_the_admin_offers_no_deletion_of_evidence(reviewed, admin_client):
    panel, proposal, assignments = reviewed
    page = admin_client.get(f"/admin/reviews/panel/{panel.pk}/change/").content.decode()
    assert "deletelink" not in page
    assert admin_client.get(f"/admin/reviews/panel/{panel.pk}/delete/").status_code == 403
    response = admin_client.post("/admin/reviews/panel/", {
        "action": "delete_selected", "_selected_action": [panel.pk]})
    assert Panel.objects.filter(pk=panel.pk).exists()
    assert response.status_code in (200, 302)
    log = run_transition(instance=assignments[0], name="flag_conflict", actor=None,
                         system=True, reason="x")
    assert admin_client.get(f"/admin/workflow/transitionlog/{log.pk}/delete/").status_code == 403


def _outcome_report():
    from proposals.models import OutcomeReport

    proposal = ProposalFactory(outcome_reported=True)
    return OutcomeReport.objects.create(
        proposal=proposal, result="did_not_succeed", summary="Low uptake.", indicators="12%.",
        amount_spent=0, citizen_feedback="Print it.", next_step="iterate",
        submitted_by=proposal.lead)


def _recognition():
    from rewards.factories import RecognitionFactory

    return RecognitionFactory()


def _nomination():
    from rewards.factories import NominationFactory

    return NominationFactory()


def _transition_log():
    proposal = ProposalFactory(ready=True)
    return TransitionLog.objects.create(subject=proposal, transition="submit",
                                        from_state="draft", to_state="submitted",
                                        actor=proposal.lead)


@pytest.mark.parametrize("make", [_outcome_report, _recognition, _nomination],
                         ids=["outcome report", "recognition", "nomination"])
def test_every_kind_of_record_a_decision_rests_on_is_kept(make):
    record = make()
    model = type(record)
    with pytest.raises(ProtectedError), transaction.atomic():
        record.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        model.objects.filter(pk=record.pk).delete()
    assert model.objects.filter(pk=record.pk).exists()


def test_the_transition_log_is_append_only():
    log = _transition_log()
    with pytest.raises((ProtectedError, TypeError)), transaction.atomic():
        log.delete()
    assert TransitionLog.objects.filter(pk=log.pk).exists()


def test_the_admin_does_not_offer_deleting_what_would_take_evidence_with_it(admin_client):
    from rewards.factories import LearningFactory

    learning = LearningFactory()
    from rewards.models import LearningAuthor

    if not LearningAuthor.objects.filter(learning=learning).exists():
        pytest.skip("the factory made no recorded co-authorship")
    row = LearningAuthor.objects.filter(learning=learning).first()
    TransitionLog.objects.create(subject=row, transition="accept", from_state="invited",
                                 to_state="accepted", actor=row.user)
    assert admin_client.get(f"/admin/rewards/learning/{learning.pk}/delete/").status_code == 403
