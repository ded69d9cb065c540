"""Reviews: the weighted score, score validation, and what a bad review gets (nothing saved)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reviews import services
from reviews.models import Assignment, Review, Score
from reviews.scoring import weighted_score
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict

from .conftest import full_scores


def _c(weight, max_score=5):
    return SimpleNamespace(weight=Decimal(weight), max_score=max_score)


def test_weighted_score_equal_weights():
    assert weighted_score([(_c("1"), 4)] * 6) == Decimal("80.00")
    assert weighted_score([(_c("1"), 5)] * 6) == Decimal("100.00")
    assert weighted_score([(_c("1"), 1)] * 6) == Decimal("20.00")


def test_weighted_score_unequal_weights_and_maxima():
    # (3·5 + 1·1) ÷ (3·5 + 1·5) × 100 = 16 ÷ 20 × 100 = 80
    assert weighted_score([(_c("3"), 5), (_c("1"), 1)]) == Decimal("80.00")
    # (2·3 + 1·7) ÷ (2·5 + 1·10) × 100 = 13 ÷ 20 × 100 = 65
    assert weighted_score([(_c("2"), 3), (_c("1", 10), 7)]) == Decimal("65.00")
    # (0.5·2 + 1.5·4) ÷ (0.5·5 + 1.5·5) × 100 = 7 ÷ 10 × 100 = 70
    assert weighted_score([(_c("0.5"), 2), (_c("1.5"), 4)]) == Decimal("70.00")
    # rounding half up to hundredths: 1 ÷ 3 × 100
    assert weighted_score([(_c("1", 3), 1)]) == Decimal("33.33")


@given(st.lists(st.tuples(st.decimals("0.01", "10", places=2), st.integers(1, 10),
                          st.integers(1, 10)), min_size=1, max_size=8))
def test_weighted_score_is_between_0_and_100(rows):
    pairs = [(_c(w, m), min(v, m)) for w, m, v in rows]
    score = weighted_score(pairs)
    assert Decimal(0) <= score <= Decimal(100)
    if all(v == c.max_score for c, v in pairs):
        assert score == Decimal(100)


def test_saved_review_stores_the_weighted_score(scene):
    first = scene.criteria[0]
    first.weight, first.max_score = Decimal("4"), 10
    first.save()
    assignment = scene.assignments[0]
    scores = full_scores(scene.criteria, 3)
    scores[0]["value"] = 10
    review = services.review_save(assignment=assignment, actor=assignment.reviewer,
                                  scores=scores, recommendation="revise")
    # (4·10 + 5·1·3) ÷ (4·10 + 5·1·5) × 100 = 55 ÷ 65 × 100 = 84.615...
    assert review.weighted_score == Decimal("84.62")
    assert review.scores.count() == len(scene.criteria)


@pytest.mark.parametrize("bad_value", [0, 6, -1, "4.5", 4.5, None, True, "four"])
def test_score_outside_range_or_not_whole_is_refused_and_nothing_saved(scene, bad_value):
    assignment = scene.assignments[0]
    scores = full_scores(scene.criteria)
    scores[2]["value"] = bad_value
    with pytest.raises(ValidationError) as error:
        services.review_save(assignment=assignment, actor=assignment.reviewer, scores=scores,
                             recommendation="fund")
    assert "from 1 to 5" in " ".join(error.value.message_dict["scores"])
    assert not Review.objects.exists() and not Score.objects.exists()


def test_an_out_of_range_score_gets_one_message_not_also_missing(scene):
    assignment = scene.assignments[0]
    scores = full_scores(scene.criteria)
    scores[2]["value"] = 6
    with pytest.raises(ValidationError) as error:
        services.review_save(assignment=assignment, actor=assignment.reviewer, scores=scores,
                             recommendation="fund")
    messages = error.value.message_dict["scores"]
    assert len(messages) == 1 and "from 1 to 5; 6 is not" in messages[0]
    assert scene.criteria[2].name in messages[0]
    assert not any("missing" in m for m in messages)


def test_submit_recomputes_the_weighted_score_from_the_rubric_as_it_stands(scene):
    assignment = scene.assignments[0]
    scores = full_scores(scene.criteria, 3)
    scores[0]["value"] = 5
    draft = services.review_save(assignment=assignment, actor=assignment.reviewer,
                                 scores=scores, recommendation="fund")
    assert draft.weighted_score == Decimal("66.67")  # (5 + 5·3) ÷ 30 × 100
    first = scene.criteria[0]
    services.criterion_update(actor=scene.fund_manager, criterion=first, weight=Decimal("5"))
    services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer)
    draft.refresh_from_db()
    assert draft.weighted_score == Decimal("80.00")  # (5·5 + 5·3) ÷ (5·5 + 5·5) × 100


def test_submit_refuses_a_score_above_a_lowered_maximum(scene):
    assignment = scene.assignments[0]
    services.review_save(assignment=assignment, actor=assignment.reviewer,
                         scores=full_scores(scene.criteria, 5), recommendation="fund")
    first = scene.criteria[0]
    services.criterion_update(actor=scene.fund_manager, criterion=first, max_score=3)
    with pytest.raises(ValidationError) as error:
        services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer)
    assert f"“{first.name}”: the score must be a whole number from 1 to 3; 5 is not" in \
        " ".join(error.value.message_dict["scores"])
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ASSIGNED
    assert assignment.review.submitted_at is None
    assert not TransitionLog.objects.for_object(assignment).exists()


def test_missing_duplicate_and_foreign_criteria_are_refused(scene):
    assignment = scene.assignments[0]
    scores = full_scores(scene.criteria)
    missing = scores[:-1]
    with pytest.raises(ValidationError, match="missing: Learning potential"):
        services.review_save(assignment=assignment, actor=assignment.reviewer, scores=missing,
                             recommendation="fund")
    with pytest.raises(ValidationError, match="scored twice"):
        services.review_save(assignment=assignment, actor=assignment.reviewer,
                             scores=scores + scores[:1], recommendation="fund")
    with pytest.raises(ValidationError, match="not in this round's rubric"):
        services.review_save(assignment=assignment, actor=assignment.reviewer,
                             scores=scores + [{"criterion": 999999, "value": 3}],
                             recommendation="fund")
    with pytest.raises(ValidationError) as error:
        services.review_save(assignment=assignment, actor=assignment.reviewer, scores=scores,
                             recommendation="maybe")
    assert "recommendation" in error.value.message_dict
    assert not Review.objects.exists()


def test_submit_needs_a_complete_review_and_locks_it(scene):
    assignment = scene.assignments[0]
    with pytest.raises(ValidationError, match="Score every criterion"):
        services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer)
    services.review_save(assignment=assignment, actor=assignment.reviewer,
                         scores=full_scores(scene.criteria), recommendation="fund")
    services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer,
                                      note="Done")
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.SUBMITTED
    assert assignment.review.submitted_at is not None
    log = TransitionLog.objects.for_object(assignment).get()
    assert (log.transition, log.from_state, log.to_state) == ("submit_review", "assigned",
                                                             "submitted")
    with pytest.raises(ValidationError, match="second review"):
        services.review_save(assignment=assignment, actor=assignment.reviewer,
                             scores=full_scores(scene.criteria, 1), recommendation="do_not_fund")
    assert assignment.review.scores.filter(value=4).count() == len(scene.criteria)
    with pytest.raises(TransitionStateConflict):
        services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer)


def test_only_the_assigned_reviewer_writes(scene):
    from django.core.exceptions import PermissionDenied

    assignment = scene.assignments[0]
    for other in (scene.chair, scene.members[1], scene.fund_manager):
        with pytest.raises(PermissionDenied):
            services.review_save(assignment=assignment, actor=other,
                                 scores=full_scores(scene.criteria), recommendation="fund")


def test_no_review_once_the_proposal_left_review(scene):
    from proposals.models import Proposal

    assignment = scene.assignments[0]
    Proposal.objects.filter(pk=scene.proposal.pk).update(state=Proposal.State.WITHDRAWN)
    with pytest.raises(ValidationError, match="no longer in review"):
        services.review_save(assignment=assignment, actor=assignment.reviewer,
                             scores=full_scores(scene.criteria), recommendation="fund")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_put_review_then_submit(scene):
    assignment = scene.assignments[0]
    client = _api(assignment.reviewer)
    url = f"/api/v1/assignments/{assignment.pk}/review/"
    body = {"scores": full_scores(scene.criteria, 5), "comment_to_applicant": "Good",
            "comment_to_panel": "Strong team", "recommendation": "fund"}
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["weighted_score"] == "100.00"
    response = client.post(f"/api/v1/assignments/{assignment.pk}/transitions/submit_review/",
                           {"note": "ok"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "submitted"
    again = client.put(url, body, format="json")
    assert again.status_code == 400
    assert "second review" in " ".join(again.json()["non_field_errors"])


@pytest.mark.parametrize("body, field", [
    ({"scores": [{"criterion": 0, "value": 9}], "recommendation": "fund"}, "scores"),
    ({"scores": "lots", "recommendation": "fund"}, "scores"),
    ({"scores": ["x"], "recommendation": "fund"}, "scores"),
    ({"recommendation": "fund"}, "scores"),
    ({"scores": [], "recommendation": "nope"}, "recommendation"),
])
def test_api_bad_review_is_400_with_field_messages(scene, body, field):
    assignment = scene.assignments[0]
    response = _api(assignment.reviewer).put(
        f"/api/v1/assignments/{assignment.pk}/review/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Review.objects.exists()


def test_api_out_of_range_score_message(scene):
    assignment = scene.assignments[0]
    scores = full_scores(scene.criteria)
    scores[0]["value"] = 7
    response = _api(assignment.reviewer).put(
        f"/api/v1/assignments/{assignment.pk}/review/",
        {"scores": scores, "recommendation": "fund"}, format="json")
    assert response.status_code == 400
    assert "Public value" in response.json()["scores"][0]


def test_api_review_on_conflict_assignment_is_400(scene):
    assignment = scene.assignments[0]
    client = _api(assignment.reviewer)
    response = client.post(
        f"/api/v1/assignments/{assignment.pk}/transitions/declare_conflict/",
        {"reason": "Relative on the team"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "conflict"
    response = client.put(f"/api/v1/assignments/{assignment.pk}/review/",
                          {"scores": full_scores(scene.criteria), "recommendation": "fund"},
                          format="json")
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/assignments/{assignment.pk}/transitions/declare_conflict/",
        {"reason": "again"}, format="json")
    assert response.status_code == 409 and response.json()["state"] == "conflict"


def test_api_declare_conflict_without_reason_is_400(scene):
    assignment = scene.assignments[0]
    response = _api(assignment.reviewer).post(
        f"/api/v1/assignments/{assignment.pk}/transitions/declare_conflict/", {},
        format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_rubric_is_editable_until_the_first_review_is_submitted(scene):
    criterion = services.criterion_create(actor=scene.fund_manager, round_=scene.round,
                                          name="Equity", weight=Decimal("2"))
    services.criterion_update(actor=scene.fund_manager, criterion=criterion, max_score=7)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.criterion_update(actor=scene.chair, criterion=criterion, name="x")
    criteria = list(scene.round.criteria.all())
    assignment = scene.assignments[0]
    services.assignment_submit_review(
        assignment=assignment, actor=assignment.reviewer,
        review={"scores": full_scores(criteria), "recommendation": "fund"})
    with pytest.raises(ValidationError, match="can no longer change"):
        services.criterion_update(actor=scene.fund_manager, criterion=criterion, weight=1)
    with pytest.raises(ValidationError, match="can no longer change"):
        services.criterion_create(actor=scene.fund_manager, round_=scene.round, name="Late")
