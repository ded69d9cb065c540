"""Blind review, by role: what each viewer reads of a proposal's reviews (API and page)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from proposals.models import Proposal
from reviews import services
from reviews.permissions import ReviewAccess, review_access

from .conftest import full_scores


def _write(assignment, criteria, submit=True, value=4):
    services.review_save(assignment=assignment, actor=assignment.reviewer,
                         scores=full_scores(criteria, value), recommendation="fund",
                         comment_to_applicant=f"To applicant, note {assignment.pk}",
                         comment_to_panel=f"Secret from {assignment.reviewer.username}")
    if submit:
        services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer)


def _get(user, proposal):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/proposals/{proposal.pk}/reviews/")


def test_reviewer_sees_only_their_own_until_they_submit(scene):
    first, second = scene.assignments[0], scene.assignments[1]
    _write(first, scene.criteria)
    _write(second, scene.criteria, submit=False)
    body = _get(second.reviewer, scene.proposal).json()
    assert body["access"] == "own"
    assert [r["reviewer"]["id"] for r in body["results"]] == [second.reviewer.pk]
    assert first.reviewer.username not in str(body)
    # the other reviewer's review is not reachable through the assignment either
    client = APIClient()
    client.force_authenticate(second.reviewer)
    assert client.get(f"/api/v1/assignments/{first.pk}/review/").status_code == 404
    services.assignment_submit_review(assignment=second, actor=second.reviewer)
    body = _get(second.reviewer, scene.proposal).json()
    assert body["access"] == "panel"
    assert {r["reviewer"]["id"] for r in body["results"]} == {first.reviewer.pk,
                                                              second.reviewer.pk}


def test_reviewer_page_hides_other_reviews_before_submitting(scene):
    first, second = scene.assignments[0], scene.assignments[1]
    _write(first, scene.criteria)
    client = Client()
    client.force_login(second.reviewer)
    page = client.get(f"/reviews/proposals/{scene.proposal.pk}/").content.decode()
    assert "Secret from reviewer0" not in page and str(first.reviewer) not in page
    page = client.get(f"/reviews/assignments/{second.pk}/").content.decode()
    assert "Secret from reviewer0" not in page


def test_a_reviewer_yet_to_start_is_not_told_that_no_review_is_submitted(scene):
    """One review is in; the second reviewer has saved nothing: their page says so, never
    that no review has been submitted (a walkthrough read that as false)."""
    first, second = scene.assignments[0], scene.assignments[1]
    _write(first, scene.criteria)
    client = Client()
    client.force_login(second.reviewer)
    page = client.get(f"/reviews/proposals/{scene.proposal.pk}/").content.decode()
    assert "You have not saved your review of it yet." in page
    assert "No review has been submitted yet." not in page


def test_other_panel_member_cannot_see_the_proposal_or_its_reviews(scene):
    _write(scene.assignments[0], scene.criteria)
    assert _get(scene.other_member, scene.proposal).status_code == 404
    client = APIClient()
    client.force_authenticate(scene.other_member)
    assert client.get(f"/api/v1/assignments/{scene.assignments[0].pk}/").status_code == 404


def test_applicant_sees_nothing_before_the_decision(scene):
    _write(scene.assignments[0], scene.criteria)
    for user in (scene.lead, scene.team_member):
        body = _get(user, scene.proposal).json()
        assert body == {"access": "none", "count": 0, "results": []}


def test_applicant_sees_comments_without_names_or_scores_after_the_decision(scene):
    for a in scene.assignments:
        _write(a, scene.criteria)
    services.proposal_reject(proposal=scene.proposal, actor=scene.chair, rationale="Not now")
    for user in (scene.lead, scene.team_member):
        response = _get(user, scene.proposal)
        body = response.json()
        assert body["access"] == "applicant" and body["count"] == 3
        assert all(set(r) == {"comment_to_applicant"} for r in body["results"])
        text = response.content.decode()
        assert "Secret from" not in text
        assert not any(m.username in text or str(m) in text for m in scene.members)
        assert "weighted_score" not in text and "scores" not in text
    client = Client()
    client.force_login(scene.lead)
    page = client.get(f"/reviews/proposals/{scene.proposal.pk}/").content.decode()
    assert f"To applicant, note {scene.assignments[1].pk}" in page
    assert "Secret from" not in page
    assert str(scene.members[0]) not in page and "Weighted score" not in page


def test_hr_officer_sees_no_scores(scene):
    for a in scene.assignments:
        _write(a, scene.criteria)
    assert review_access(scene.hr_officer, scene.proposal) == ReviewAccess.NONE
    services.proposal_recommend(proposal=scene.proposal, actor=scene.chair, rationale="Yes")
    scene.proposal.refresh_from_db()
    response = _get(scene.hr_officer, scene.proposal)
    assert response.status_code == 200
    text = response.content.decode()
    assert "weighted_score" not in text and "scores" not in text and "Secret" not in text
    client = APIClient()
    client.force_authenticate(scene.hr_officer)
    assert client.get(f"/api/v1/rounds/{scene.round.pk}/ranking/").status_code == 403


@pytest.mark.parametrize("who", ["chair", "fund_manager"])
def test_chair_and_fund_manager_see_everything(scene, who):
    for a in scene.assignments[:2]:
        _write(a, scene.criteria)
    _write(scene.assignments[2], scene.criteria, submit=False)
    body = _get(getattr(scene, who), scene.proposal).json()
    assert body["access"] == "panel" and body["count"] == 2  # drafts stay the reviewer's
    assert all(r["comment_to_panel"].startswith("Secret") for r in body["results"])
    assert all(len(r["scores"]) == len(scene.criteria) for r in body["results"])


def test_conflicted_chair_sees_no_reviews(scene):
    _write(scene.assignments[0], scene.criteria)
    scene.chair.agency = scene.moh
    scene.chair.save()
    assert review_access(scene.chair, scene.proposal) == ReviewAccess.NONE


def test_stranger_gets_404(scene):
    assert _get(scene.stranger, scene.proposal).status_code == 404
    Proposal.objects.filter(pk=scene.proposal.pk).update(state=Proposal.State.RECOMMENDED)
    assert _get(scene.stranger, scene.proposal).status_code == 404


# --- a chair or fund manager who also reviews the proposal ------------------------------------

def _also_reviewing(scene, who):
    """`who` (the chair or a fund manager) is assigned to the proposal too, not yet submitted;
    one other reviewer has submitted."""
    from reviews.factories import AssignmentFactory

    user = getattr(scene, who)
    scene.panel.members.add(user)
    own = AssignmentFactory(proposal=scene.proposal, panel=scene.panel, reviewer=user)
    _write(scene.assignments[0], scene.criteria)
    return user, own


@pytest.mark.parametrize("who", ["chair", "fund_manager"])
def test_chair_or_fund_manager_with_an_open_assignment_reads_only_their_own(scene, who):
    user, own = _also_reviewing(scene, who)
    other = scene.assignments[0]
    assert review_access(user, scene.proposal) == ReviewAccess.OWN
    response = _get(user, scene.proposal)
    body = response.json()
    assert body["access"] == "own" and body["count"] == 0
    text = response.content.decode()
    assert "Secret from" not in text and other.reviewer.username not in text
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(f"/api/v1/assignments/{other.pk}/review/").status_code in (403, 404)
    page_client = Client()
    page_client.force_login(user)
    page = page_client.get(f"/reviews/proposals/{scene.proposal.pk}/").content.decode()
    assert "Secret from" not in page and str(other.reviewer) not in page
    # The assignment itself the chair manages (who reviews is no secret), not its review.
    page = page_client.get(f"/reviews/assignments/{other.pk}/").content.decode()
    assert "Secret from" not in page and "Weighted score" not in page
    assert "once you have submitted your own" in page
    # once their own review is in, the role's full view returns
    _write(own, scene.criteria)
    body = _get(user, scene.proposal).json()
    assert body["access"] == "panel" and body["count"] == 2


@pytest.mark.parametrize("who", ["chair", "fund_manager"])
def test_ranking_hides_the_mean_while_the_viewers_review_is_pending(scene, who):
    user, own = _also_reviewing(scene, who)
    client = APIClient()
    client.force_authenticate(user)
    row = client.get(f"/api/v1/rounds/{scene.round.pk}/ranking/").json()["results"][0]
    assert row["mean_weighted_score"] is None and row["spread"] is None
    assert row["review_pending"] is True and row["conflict"] is False
    page_client = Client()
    page_client.force_login(user)
    page = page_client.get(f"/reviews/rounds/{scene.round.pk}/ranking/").content.decode()
    assert "your review is pending" in page and "80.00" not in page
    _write(own, scene.criteria)
    row = client.get(f"/api/v1/rounds/{scene.round.pk}/ranking/").json()["results"][0]
    assert row["mean_weighted_score"] == "80.00" and row["review_pending"] is False


@pytest.mark.parametrize("who", ["chair", "fund_manager"])
def test_a_declared_conflict_closes_the_reviews_whatever_the_role(scene, who):
    """DOMAIN.md: a role never widens access to a proposal the user has a conflict with."""
    from reviews.services import assignment_declare_conflict

    user, own = _also_reviewing(scene, who)
    assignment_declare_conflict(assignment=own, actor=user, reason="My brother leads it.")
    assert review_access(user, scene.proposal) == ReviewAccess.NONE
    client = APIClient()
    client.force_authenticate(user)
    other = scene.assignments[0]
    assert client.get(f"/api/v1/assignments/{other.pk}/review/").status_code in (403, 404)
    text = _get(user, scene.proposal).content.decode()
    assert "Secret from" not in text
