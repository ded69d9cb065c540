"""The reviewer's journey (issue 15): a draft keeps what was given, only submitting needs
every criterion; the assignment page shows the files and the full proposal to a reviewer who
may still see it; after submitting, the next step is plain, and the blind rule decides
whether the other reviews are offered."""

import html
import re

import pytest
from django.test import Client

from proposals.factories import AttachmentFactory, ProposalFactory
from reviews import services
from reviews.factories import AssignmentFactory
from reviews.models import Assignment, Review

from .conftest import full_scores


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(assignment) -> str:
    return f"/reviews/assignments/{assignment.pk}/"


def test_save_draft_with_criteria_unscored_keeps_what_was_given(scene):
    a = scene.assignments[0]
    first, second = scene.criteria[0], scene.criteria[1]
    data = {f"criterion_{first.pk}": 4, f"criterion_{second.pk}": 2,
            "comment_to_applicant": "Say how you will measure it.",
            "comment_to_panel": "Ambitious budget.", "save": "1"}
    client = _client(a.reviewer)
    response = client.post(_url(a), data)
    assert response.status_code == 302
    review = Review.objects.get(assignment=a)
    assert dict(review.scores.values_list("criterion_id", "value")) == {first.pk: 4,
                                                                         second.pk: 2}
    assert review.comment_to_applicant == "Say how you will measure it."
    assert review.comment_to_panel == "Ambitious budget."
    assert review.recommendation == "" and review.weighted_score is None
    a.refresh_from_db()
    assert a.state == Assignment.State.ASSIGNED
    # The draft comes back on the form, and the message says what is still to do.
    page = _text(client.get(_url(a)))
    left = len(scene.criteria) - 2
    assert f"{left} of {len(scene.criteria)} criteria are still to score" in page
    assert re.search(rf'name="criterion_{first.pk}" value="4"[^>]*checked', page)
    assert not re.search(rf'name="criterion_{scene.criteria[2].pk}"[^>]*checked', page)
    assert "Say how you will measure it." in page


def test_save_draft_with_nothing_scored_keeps_the_comments(scene):
    a = scene.assignments[0]
    response = _client(a.reviewer).post(_url(a), {"comment_to_panel": "First thoughts",
                                                  "save": "1"})
    assert response.status_code == 302
    review = Review.objects.get(assignment=a)
    assert review.comment_to_panel == "First thoughts" and not review.scores.exists()


def test_submit_needs_every_criterion_and_a_recommendation(scene):
    a = scene.assignments[0]
    client = _client(a.reviewer)
    client.post(_url(a), {f"criterion_{scene.criteria[0].pk}": 4, "save": "1"})
    response = client.post(_url(a), {f"criterion_{scene.criteria[0].pk}": 4, "submit": "1"})
    page = _text(response)
    assert response.status_code == 200
    assert f"Score “{scene.criteria[1].name}” from 1 to" in page
    a.refresh_from_db()
    assert a.state == Assignment.State.ASSIGNED
    # The draft on record is unchanged by the refused submission.
    assert Review.objects.get(assignment=a).scores.count() == 1


def test_a_partial_draft_cannot_be_submitted_through_the_service(scene):
    a = scene.assignments[0]
    services.review_save(assignment=a, actor=a.reviewer, scores=full_scores(scene.criteria[:2]),
                         recommendation="", draft=True)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.assignment_submit_review(assignment=a, actor=a.reviewer)
    assert "missing" in str(refused.value)
    a.refresh_from_db()
    assert a.state == Assignment.State.ASSIGNED


def test_a_draft_still_refuses_a_score_out_of_range(scene):
    a = scene.assignments[0]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.review_save(assignment=a, actor=a.reviewer, draft=True, recommendation="",
                             scores=[{"criterion": scene.criteria[0].pk, "value": 9}])
    assert not Review.objects.exists()


def test_assignment_page_links_the_proposal_and_its_files(scene):
    a = scene.assignments[0]
    file = AttachmentFactory(proposal=scene.proposal, original_name="budget-detail.xlsx")
    page = _text(_client(a.reviewer).get(_url(a)))
    assert f'href="/proposals/{scene.proposal.pk}/"' in page
    assert "Open the full proposal page" in page
    assert f'href="/proposals/{scene.proposal.pk}/attachments/{file.pk}/"' in page
    assert "budget-detail.xlsx" in page
    # The link works for the reviewer: the same rule as the download.
    assert _client(a.reviewer).get(
        f"/proposals/{scene.proposal.pk}/attachments/{file.pk}/").status_code == 200


def test_a_reviewer_whose_conflict_arose_sees_neither_files_nor_the_proposal(scene):
    a = scene.assignments[1]
    file = AttachmentFactory(proposal=scene.proposal, original_name="secret-plan.pdf")
    a.reviewer.agency = scene.moh  # the lead's agency: the assignment is flagged
    a.reviewer.save()
    a.refresh_from_db()
    assert a.state == Assignment.State.CONFLICT
    response = _client(a.reviewer).get(_url(a))
    page = _text(response)
    assert response.status_code == 200
    assert "secret-plan.pdf" not in page
    assert f"/proposals/{scene.proposal.pk}/attachments/{file.pk}/" not in page
    assert scene.proposal.hypothesis not in page
    assert "You no longer see this proposal" in page


def test_after_submitting_the_next_step_is_plain(scene):
    a = scene.assignments[0]
    later = AssignmentFactory(proposal=ProposalFactory(round=scene.round, in_review=True),
                              panel=scene.panel, reviewer=a.reviewer)
    other = scene.assignments[1]
    services.assignment_submit_review(assignment=other, actor=other.reviewer, review={
        "scores": full_scores(scene.criteria), "recommendation": "revise"})
    client = _client(a.reviewer)
    data = {f"criterion_{c.pk}": 4 for c in scene.criteria}
    response = client.post(_url(a), {**data, "recommendation": "fund", "submit": "1"})
    assert response.status_code == 302 and response["Location"] == _url(a) + "#next-steps"
    page = _text(client.get(response["Location"]))
    assert 'id="next-steps"' in page
    assert f'href="/reviews/proposals/{scene.proposal.pk}/"' in page
    assert "1 other review submitted so far" in page
    assert f'href="{_url(later)}"' in page and later.proposal.title in page
    assert 'href="/reviews/"' in page and "Back to My reviews" in page


def test_no_link_to_the_other_reviews_while_the_blind_rule_withholds_them(scene):
    """Before submitting, the page offers no link to the other reviews and no next steps."""
    a = scene.assignments[0]
    page = _text(_client(a.reviewer).get(_url(a)))
    assert 'id="next-steps"' not in page
    assert f'href="/reviews/proposals/{scene.proposal.pk}/"' not in page


def test_next_steps_offer_the_other_reviews_only_with_panel_access(scene):
    """Whether the other reviews are offered follows `review_access`, the rule the reviews
    page applies (PANEL: read them; anything else: not offered)."""
    from reviews.permissions import ReviewAccess
    from reviews.views import _next_steps

    a = scene.assignments[0]
    steps = _next_steps(a.reviewer, a, ReviewAccess.NONE)
    assert steps["reviews_readable"] is False and steps["other_reviews"] == 0
    steps = _next_steps(a.reviewer, a, ReviewAccess.PANEL)
    assert steps["reviews_readable"] is True
