"""The stored ranking rows (`ProposalScore`, issue 16): after every kind of change the stored
mean, spread, review count and the proposal's own ranking columns equal what the proposals
and their reviews say, and the ranking read from them is the ranking computed from the
reviews. The conflict filter the ranking uses (`_conflict_ids_q`) is the conflict rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.deletion import ProtectedError

from people.factories import AgencyFactory, UserFactory
from proposals.conflicts import conflict_q
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.services import proposal_update
from proposals.services.drafting import proposal_request_revision
from reviews import services
from reviews.factories import AssignmentFactory, make_review
from reviews.models import Assignment, ProposalScore, Review
from reviews.selectors import RANKED_STATES, _conflict_ids_q, ranking_rows
from reviews.services.scores import (
    RANKED,
    refresh_proposal_scores,
    stale_proposal_scores,
)

from .conftest import full_scores


def _score(proposal) -> ProposalScore | None:
    return ProposalScore.objects.filter(proposal=proposal).first()


def _expected(proposal) -> tuple:
    """(mean, high, low, count) of the counted reviews, computed here in Python."""
    scores = [Decimal(r.weighted_score) for r in Review.objects.filter(
        assignment__proposal=proposal, assignment__state="submitted")
        if r.weighted_score is not None]
    count = Assignment.objects.filter(proposal=proposal, state="submitted").count()
    if not scores:
        return None, None, None, count
    return (sum(scores) / len(scores), max(scores), min(scores), count)


def _check(*proposals):
    assert stale_proposal_scores() == []
    for proposal in proposals:
        proposal.refresh_from_db()
        stored = _score(proposal)
        mean, high, low, count = _expected(proposal)
        if stored is None:
            assert proposal.state not in RANKED and count == 0
            continue
        assert (stored.state, stored.round_id, stored.lead_id) == (
            proposal.state, proposal.round_id, proposal.lead_id)
        assert stored.requested_amount == proposal.requested_amount
        assert stored.review_count == count
        assert (stored.high_score, stored.low_score) == (high, low)
        if mean is None:
            assert stored.mean_score is None
        else:
            assert abs(stored.mean_score - mean) < Decimal("0.0000000001")


def test_the_states_stored_are_the_ranked_states():
    assert set(RANKED) == {str(s) for s in RANKED_STATES}


def test_a_proposal_sent_to_review_has_its_row_with_no_reviews(scene):
    _check(scene.proposal)
    stored = _score(scene.proposal)
    assert stored.review_count == 0 and stored.mean_score is None


def test_a_draft_save_or_an_unsubmitted_review_changes_nothing(scene):
    a = scene.assignments[0]
    services.review_save(assignment=a, actor=a.reviewer, scores=full_scores(scene.criteria),
                         recommendation="fund")
    _check(scene.proposal)
    assert _score(scene.proposal).review_count == 0


def test_submitting_reviews_moves_the_stored_mean(scene):
    for value, assignment in zip((5, 3, 4), scene.assignments, strict=True):
        services.assignment_submit_review(
            assignment=assignment, actor=assignment.reviewer,
            review={"scores": full_scores(scene.criteria, value), "recommendation": "fund"})
        _check(scene.proposal)
    stored = _score(scene.proposal)
    assert stored.review_count == 3 and stored.mean_score == Decimal("80")
    assert (stored.high_score, stored.low_score) == (Decimal("100.00"), Decimal("60.00"))


def test_a_declared_conflict_and_a_flagged_review_leave_the_counts(scene):
    first, second, third = scene.assignments
    for a in (first, second):
        services.assignment_submit_review(
            assignment=a, actor=a.reviewer,
            review={"scores": full_scores(scene.criteria, 5), "recommendation": "fund"})
    services.assignment_declare_conflict(assignment=third, actor=third.reviewer,
                                         reason="My cousin leads it.")
    _check(scene.proposal)
    assert _score(scene.proposal).review_count == 2
    # The first reviewer's agency becomes a partner: the submitted review is flagged and
    # never counts again.
    agency = AgencyFactory()
    type(first.reviewer).objects.filter(pk=first.reviewer_id).update(agency=agency)
    proposal = Proposal.objects.get(pk=scene.proposal.pk)
    proposal_request_revision(proposal=proposal, actor=scene.chair, message="Tighten it.")
    proposal = Proposal.objects.get(pk=scene.proposal.pk)
    proposal_update(actor=proposal.lead, proposal=proposal,
                    partner_agencies=[scene.moe, agency])
    assert Assignment.objects.get(pk=first.pk).state == Assignment.State.CONFLICT
    _check(scene.proposal)
    assert _score(scene.proposal).review_count == 1


def test_the_proposals_own_columns_follow_its_saves(scene):
    proposal = Proposal.objects.get(pk=scene.proposal.pk)
    proposal_request_revision(proposal=proposal, actor=scene.chair, message="Cheaper, please.")
    _check(scene.proposal)
    proposal = Proposal.objects.get(pk=scene.proposal.pk)
    proposal_update(actor=proposal.lead, proposal=proposal,
                    requested_amount=Decimal("12345.00"))
    _check(scene.proposal)
    assert _score(scene.proposal).requested_amount == Decimal("12345.00")
    assert _score(scene.proposal).state == "revision_requested"


def test_deletions_keep_the_row_right(scene):
    """A submitted review is evidence (never deleted: workflow/evidence.py); what may be
    deleted leaves the row right."""
    a, b, c = scene.assignments
    for assignment in (a, b):
        services.assignment_submit_review(
            assignment=assignment, actor=assignment.reviewer,
            review={"scores": full_scores(scene.criteria, 4), "recommendation": "fund"})
    with pytest.raises(ProtectedError), transaction.atomic():
        Review.objects.get(assignment=a).delete()
    services.review_save(assignment=c, actor=c.reviewer, scores=full_scores(scene.criteria, 1),
                         recommendation="fund")
    Review.objects.get(assignment=c).delete()  # a draft
    Assignment.objects.get(pk=c.pk).delete()  # an open assignment
    _check(scene.proposal)
    assert _score(scene.proposal).review_count == 2
    # A row follows a deletion the ORM runs, whatever the channel (the receivers).
    from reviews.services import scores

    scores.on_assignment_deleted(Assignment, Assignment.objects.get(pk=b.pk))
    _check(scene.proposal)


def test_factories_give_rows_and_a_draft_deleted_leaves_none(db):
    a = AssignmentFactory(submitted=True, score=3)
    AssignmentFactory(proposal=a.proposal, panel=a.panel, submitted=True, score=5)
    _check(a.proposal)
    assert _score(a.proposal).review_count == 2
    draft = ProposalFactory()
    assert _score(draft) is None
    draft.delete()
    assert stale_proposal_scores() == []


def test_a_reviews_later_edit_is_followed(db):
    a = AssignmentFactory(submitted=True, score=3)
    review = a.review
    review.weighted_score = Decimal("99.00")
    review.save()
    _check(a.proposal)
    assert _score(a.proposal).mean_score == Decimal("99")


def test_the_rubric_cannot_move_a_counted_score(scene):
    a = scene.assignments[0]
    services.assignment_submit_review(
        assignment=a, actor=a.reviewer,
        review={"scores": full_scores(scene.criteria, 4), "recommendation": "fund"})
    with pytest.raises(ValidationError):
        services.criterion_update(actor=scene.fund_manager, criterion=scene.criteria[0],
                                  weight=Decimal("3"))
    _check(scene.proposal)


def test_refresh_rebuilds_what_a_bulk_load_wrote(scene):
    """A bulk load (generate_load) skips the signals: refresh_proposal_scores rebuilds."""
    a = scene.assignments[0]
    make_review(a, score=5)
    Assignment.objects.filter(pk=a.pk).update(state="submitted")
    ProposalScore.objects.all().delete()
    assert stale_proposal_scores() == [scene.proposal.pk]
    refresh_proposal_scores()
    _check(scene.proposal)
    assert _score(scene.proposal).review_count == 1


def test_the_ranking_reads_the_stored_rows(scene):
    a = scene.assignments[0]
    make_review(a, score=5)
    Assignment.objects.filter(pk=a.pk).update(state="submitted")
    rows = ranking_rows(round_=scene.round, viewer=scene.fund_manager)
    assert rows[0]["review_count"] == 0  # not refreshed yet: the stored row is what is read
    refresh_proposal_scores([scene.proposal.pk])
    rows = ranking_rows(round_=scene.round, viewer=scene.fund_manager)
    assert rows[0]["review_count"] == 1 and rows[0]["mean_weighted_score"] == Decimal("100.00")


@pytest.mark.parametrize("who", ["lead", "team_member", "chair", "fund_manager", "agency_peer",
                                 "partner_peer", "stranger"])
def test_the_rankings_conflict_filter_is_the_conflict_rule(scene, who):
    if who == "agency_peer":
        user = UserFactory(agency=scene.moh)
    elif who == "partner_peer":
        user = UserFactory(agency=scene.moe)
    else:
        user = getattr(scene, who)
    other = ProposalFactory(round=scene.round, in_review=True)
    TeamMemberFactory(proposal=other, user=UserFactory(agency=scene.moe))
    rule = set(Proposal.objects.filter(conflict_q(user)).values_list("pk", flat=True))
    fast = set(Proposal.objects.filter(_conflict_ids_q(user)).values_list("pk", flat=True))
    assert rule == fast
    if who in ("lead", "team_member", "agency_peer", "partner_peer"):
        assert scene.proposal.pk in fast
