"""Reviewing: scores saved and submitted blind, or a conflict declared;
`ASSIGNMENT_TRANSITIONS` runs the assignment's transitions by name."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from proposals.conflicts import conflict_reason
from proposals.models import Proposal
from workflow.services import (
    TransitionStateConflict,
    may_run,
    run_transition,
    transition_allowed_in_state,
)

from ..models import Assignment, Criterion, Review, Score
from ..scoring import weighted_score
from .assignments import FLAGGED_PREFIX
from .common import ARCHIVED, _refuse_if_archived, _required  # noqa: F401
from .scores import refresh_proposal_scores


# --- reviews ----------------------------------------------------------------------------------
def _locked_assignment(assignment: Assignment) -> Assignment:
    return (Assignment.objects.select_for_update(of=("self",))
            .select_related("proposal__round", "proposal__lead__agency", "reviewer__agency",
                            "panel")
            .get(pk=assignment.pk))


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _clean_scores(assignment: Assignment, scores, *,
                  draft: bool = False) -> list[tuple[Criterion, int]]:
    """The scores given, checked against the rubric; every criterion scored unless `draft`
    (a draft keeps what was given: a criterion left unscored is simply not stored)."""
    criteria = {c.pk: c for c in assignment.proposal.round.criteria.all()}
    given, errors = {}, []
    refused = set()  # criteria with a bad value: their own message, not "missing" as well
    if not isinstance(scores, list | tuple):
        raise ValidationError({"scores": gettext('Send the scores as a list of {"criterion": id, "value": n}.')})
    for entry in scores:
        if not isinstance(entry, dict):
            errors.append("Each score is {\"criterion\": id, \"value\": n}.")
            continue
        raw_criterion = entry.get("criterion")
        criterion = raw_criterion if isinstance(raw_criterion, Criterion) else None
        if criterion is None:
            try:
                criterion = criteria.get(int(raw_criterion))
            except (TypeError, ValueError):
                criterion = None
        if criterion is None or criterion.pk not in criteria:
            errors.append(f"Criterion {raw_criterion} is not in this round's rubric.")
            continue
        if criterion.pk in given:
            errors.append(f"“{criterion.name}” is scored twice.")
            continue
        value = entry.get("value")
        number = _whole_number(value)
        if number is None or not 1 <= number <= criterion.max_score:
            errors.append(f"“{criterion.name}”: the score must be a whole number from 1 to "
                          f"{criterion.max_score}; {value!r} is not.")
            refused.add(criterion.pk)
            continue
        given[criterion.pk] = (criterion, number)
    missing = [c.name for pk, c in criteria.items() if pk not in given and pk not in refused]
    if missing and not draft:
        errors.append(f"Score every criterion; missing: {', '.join(missing)}.")
    if errors:
        raise ValidationError({"scores": errors})
    return [given[pk] for pk in criteria if pk in given]


def _require_reviewable(assignment: Assignment, actor) -> None:
    if not (actor and actor.is_authenticated and assignment.reviewer_id == actor.pk):
        raise PermissionDenied(gettext("Only the assigned reviewer may write this review."))
    if assignment.state == Assignment.State.CONFLICT:
        if assignment.conflict_reason.startswith(FLAGGED_PREFIX):
            raise ValidationError(gettext("This assignment takes no review. %(conflict_reason)s") % {
                "conflict_reason": assignment.conflict_reason})
        raise ValidationError(gettext("You declared a conflict on this assignment; it takes no "
                                      "review."))
    if assignment.state == Assignment.State.SUBMITTED:
        raise ValidationError(gettext("The review of this assignment was already submitted; a "
                                      "second review is not accepted."))
    reason = conflict_reason(actor, assignment.proposal)
    if reason:
        raise ValidationError(gettext("Conflict of interest: %(reason)s") % {"reason": reason})
    proposal = assignment.proposal
    _refuse_if_archived(proposal.round)
    if proposal.state != Proposal.State.IN_REVIEW:
        raise ValidationError(gettext("“%(title)s” is %(state)s, no "
                                      "longer in review.") % {
            "title": proposal.title, "state": proposal.get_state_display().lower()})


@transaction.atomic
def review_save(*, assignment: Assignment, actor, scores, recommendation: str,
                comment_to_applicant: str = "", comment_to_panel: str = "",
                draft: bool = False) -> Review:
    """The assigned reviewer, with no conflict, scores every criterion from 1 to its maximum;
    the review may be saved and changed until it is submitted. A `draft` keeps what was
    given (some criteria unscored, no recommendation yet; its weighted score waits until
    every criterion is scored); submitting (`assignment_submit_review`) requires it all."""
    assignment = _locked_assignment(assignment)
    _require_reviewable(assignment, actor)
    errors = {}
    try:
        cleaned = _clean_scores(assignment, scores, draft=draft)
    except ValidationError as error:
        errors.update(error.message_dict)
    if draft and not recommendation:
        recommendation = ""
    elif recommendation not in Review.Recommendation.values:
        errors["recommendation"] = ["Choose fund, revise or do not fund."]
    if errors:
        raise ValidationError(errors)
    review, _ = Review.objects.update_or_create(
        assignment=assignment,
        defaults={
            "recommendation": recommendation,
            "comment_to_applicant": str(comment_to_applicant or "").strip(),
            "comment_to_panel": str(comment_to_panel or "").strip(),
            "weighted_score": (weighted_score(cleaned) if len(cleaned) == (
                assignment.proposal.round.criteria.count()) else None),
        },
    )
    review.scores.all().delete()
    Score.objects.bulk_create(Score(review=review, criterion=c, value=v) for c, v in cleaned)
    return review


@transaction.atomic
def assignment_submit_review(*, assignment: Assignment, actor, note: str = "",
                             review: dict | None = None) -> Assignment:
    """The reviewer submits a complete review (given `review`, its fields are saved first).
    Once submitted the review no longer changes."""
    if review:
        review_save(
            assignment=assignment, actor=actor, scores=review.get("scores"),
            recommendation=review.get("recommendation") or "",
            comment_to_applicant=review.get("comment_to_applicant") or "",
            comment_to_panel=review.get("comment_to_panel") or "",
        )
    assignment = _locked_assignment(assignment)
    run_transition(instance=assignment, name="submit_review", actor=actor, note=note)
    # The rubric may have changed since the draft was saved: check the stored scores against
    # it and store the weighted score as it stands now.
    review = Review.objects.get(assignment=assignment)
    criteria = list(assignment.proposal.round.criteria.all())
    values = dict(review.scores.values_list("criterion_id", "value"))
    too_high = [f"“{c.name}”: the score must be a whole number from 1 to {c.max_score}; "
                f"{values[c.pk]} is not. Change it and submit again."
                for c in criteria if not 1 <= values[c.pk] <= c.max_score]
    if too_high:
        raise ValidationError({"scores": too_high})
    Review.objects.filter(pk=review.pk).update(
        submitted_at=timezone.now(),
        weighted_score=weighted_score((c, values[c.pk]) for c in criteria),
    )
    refresh_proposal_scores([assignment.proposal_id])  # update() sends no signal
    return assignment


@transaction.atomic
def assignment_declare_conflict(*, assignment: Assignment, actor, note: str = "",
                                reason: str = "") -> Assignment:
    """The reviewer declares a conflict of interest, with a reason; the assignment then takes
    no review and the chair finds another reviewer."""
    assignment = _locked_assignment(assignment)
    if not transition_allowed_in_state(assignment, "declare_conflict"):
        raise TransitionStateConflict(assignment, "declare_conflict")
    if not may_run(assignment, "declare_conflict", actor):
        raise PermissionDenied(gettext("Only the assigned reviewer may declare a conflict."))
    reason = _required(reason or note, "reason", "Say what the conflict of interest is.")
    run_transition(instance=assignment, name="declare_conflict", actor=actor, note=reason,
                   reason=reason)
    return assignment


ASSIGNMENT_TRANSITIONS = {
    "submit_review": assignment_submit_review,
    "declare_conflict": assignment_declare_conflict,
}
