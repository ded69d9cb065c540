"""The stored ranking row of each proposal (`ProposalScore`, issue 16): what its counted
reviews (submitted, never flagged for a conflict) come to (mean, highest and lowest weighted
score, number) and the proposal's own columns the ranking sorts and filters by (round, state,
requested amount, lead), kept equal to what the proposals and reviews say.

What a row is made of changes only when
- an assignment changes state (a review submitted; an assignment flagged or declared in
  conflict) or is created or deleted (by a service, the admin, a cascade);
- a review is created, changed or deleted (its weighted score is stored when it is submitted;
  a draft's does not count);
- a proposal is saved in or out of a ranked state (its state, amount, lead or round);
and the rubric (weights, scales) changes only while no review of the round is submitted
(`services.rubric._require_rubric_editable`, and the admin's `CriterionAdmin`), so it never
moves a counted score.

Every such write through the ORM reaches the receivers below (connected in reviews/apps.py);
writes that skip the ORM's signals (a queryset's `update()`, bulk loads such as
`generate_load`) call `refresh_proposal_scores` themselves, which rebuilds the rows of any set
of proposals from the proposals and reviews (as the data migration did).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Q

from ..calibration import calibrate

# The states in which a proposal is ranked (reviews.selectors.RANKED_STATES): each proposal in
# one of them has its row.
RANKED = ("in_review", "revision_requested", "recommended", "rejected", "funded", "declined",
          "outcome_reported", "closed")
PLACES = Decimal("0.0000000001")  # ProposalScore.mean_score's ten places
_COUNTED = Q(assignments__state="submitted")
_SCORE = "assignments__review__weighted_score"
_FIELDS = ("round", "state", "requested_amount", "lead", "mean_score", "high_score",
           "low_score", "review_count", "sort_score")
NO_SCORE = Decimal(-1)  # ProposalScore.sort_score without a mean


def computed_rows(proposals):
    """What the stored rows of `proposals` (a Proposal queryset) should hold, from the
    proposals and their reviews: (pk, round_id, state, requested_amount, lead_id, mean, high,
    low, count) tuples, the numbers as stored."""
    rows = (
        proposals.order_by().annotate(
            s_mean=Avg(_SCORE, filter=_COUNTED), s_high=Max(_SCORE, filter=_COUNTED),
            s_low=Min(_SCORE, filter=_COUNTED), s_count=Count("assignments", filter=_COUNTED),
        ).values_list("pk", "round_id", "state", "requested_amount", "lead_id", "s_mean",
                      "s_high", "s_low", "s_count")
    )
    for pk, round_id, state, amount, lead_id, mean, high, low, count in rows.iterator(
            chunk_size=2000):
        yield (pk, round_id, state, _money(amount), lead_id, _mean(mean), _two(high),
               _two(low), count or 0)


def _mean(value):
    return None if value is None else Decimal(str(value)).quantize(PLACES)


def _two(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


_money = _two


def refresh_proposal_scores(proposal_ids=None, *, create: bool = True,
                            batch_size: int = 2000, calibrate: bool = True) -> int:
    """Rebuild the stored rows of the proposals `proposal_ids` (every proposal out of drafting
    when None) from the proposals and their reviews: two queries a batch. `create=False` only
    updates rows that exist (after a deletion, perhaps in a cascade deleting the proposal
    itself: no row is made for it then). With `calibrate` (the default), the calibrated
    scores of every round the proposals were or are in are then recomputed
    (`calibrate_round`, a few queries a round)."""
    from fund.models import Round
    from proposals.models import Proposal

    from ..models import ProposalScore

    if proposal_ids is None:
        proposals = Proposal.objects.exclude(state=Proposal.State.DRAFT)
        rounds = set(Round.objects.values_list("pk", flat=True)) if calibrate else set()
    else:
        ids = sorted({int(pk) for pk in proposal_ids if pk is not None})
        if not ids:
            return 0
        proposals = Proposal.objects.filter(pk__in=ids)
        rounds = set()
        if calibrate:  # the rounds they are in and the rounds their rows say they were in
            for now, stored in proposals.values_list("round_id", "score_summary__round_id"):
                rounds.update(r for r in (now, stored) if r is not None)
    if not create:
        proposals = proposals.filter(score_summary__isnull=False)
    done, batch = 0, []

    def flush():
        ProposalScore.objects.bulk_create(batch, update_conflicts=True,
                                          unique_fields=["proposal"], update_fields=_FIELDS)

    for pk, round_id, state, amount, lead_id, mean, high, low, count in computed_rows(proposals):
        batch.append(ProposalScore(
            proposal_id=pk, round_id=round_id, state=state, requested_amount=amount,
            lead_id=lead_id, mean_score=mean, high_score=high, low_score=low,
            review_count=count, sort_score=NO_SCORE if mean is None else mean))
        if len(batch) >= batch_size:
            flush()
            done, batch = done + len(batch), []
    if batch:
        flush()
        done += len(batch)
    for round_id in sorted(rounds):
        calibrate_round(round_id)
    return done


# --- calibrated scores (reviews/calibration.py) ---------------------------------------------------
def round_calibration(round_id, *, review_model=None):
    """The calibration (`reviews.calibration.Calibration`) of the round's counted reviews
    (assignment submitted, weighted score stored, the proposal ranked), keyed by review id, proposal id and
    reviewer id: one query, in review id order (so the floating-point sums, and the stored
    values, do not depend on the database's order)."""
    if review_model is None:
        from ..models import Review as review_model
    # Only the reviews of ranked proposals (RANKED, the ranking's states): a withdrawn
    # proposal's reviews leave the calibration with it, so a viewer who had it set apart for a
    # conflict is never shown figures made from them (found by an outsider's attack).
    rows = (review_model.objects.filter(
        assignment__proposal__round_id=round_id, assignment__state="submitted",
        assignment__proposal__state__in=RANKED,
        weighted_score__isnull=False).order_by("pk")
        .values_list("pk", "assignment__proposal_id", "assignment__reviewer_id",
                     "weighted_score"))
    return calibrate(rows)


def _places(value) -> Decimal | None:
    return None if value is None else Decimal(repr(float(value))).quantize(PLACES)


def _round_summary(result) -> dict:
    return {
        "round_mean": result.round_mean, "pooled_sd": result.pooled_sd,
        "alpha": result.alpha, "review_count": len(result.review_scores),
        "reviewer_count": len(result.reviewers),
        "flagged": [{"reviewer": s.reviewer, "mean": s.mean, "reviews": s.count}
                    for s in sorted(result.flagged, key=lambda s: s.reviewer)],
    }


def calibrate_round(round_id, *, models=None) -> int:
    """Recompute the calibrated scores of the round's stored rows (ProposalScore) and its
    RoundCalibration from its counted reviews, in one pass: the round's summary is locked
    first (so two reviews submitted at once are calibrated one after the other, the second
    seeing the first), then the reviews (one query), the rows' stored values (one query), and
    only the rows that changed are written (bulk). Returns the number of rows written.
    `models` (ProposalScore, Review, RoundCalibration) lets a migration pass its own."""
    if models is None:
        from ..models import ProposalScore, Review, RoundCalibration
    else:
        ProposalScore, Review, RoundCalibration = models  # noqa: N806
    with transaction.atomic():
        RoundCalibration.objects.bulk_create([RoundCalibration(round_id=round_id)],
                                             ignore_conflicts=True)
        summary = RoundCalibration.objects.select_for_update().get(round_id=round_id)
        result = round_calibration(round_id, review_model=Review)
        want = {pk: _places(value) for pk, value in result.proposal_scores.items()}
        changed = []
        for row in ProposalScore.objects.filter(round_id=round_id).only(
                "proposal_id", "calibrated_score", "calibrated_sort_score"):
            value = want.get(row.proposal_id)
            sort = NO_SCORE if value is None else value
            if row.calibrated_score != value or row.calibrated_sort_score != sort:
                row.calibrated_score, row.calibrated_sort_score = value, sort
                changed.append(row)
        if changed:
            ProposalScore.objects.bulk_update(
                changed, ["calibrated_score", "calibrated_sort_score"], batch_size=500)
        fields = _round_summary(result)
        if any(getattr(summary, name) != value for name, value in fields.items()):
            RoundCalibration.objects.filter(round_id=round_id).update(**fields)
    return len(changed)


def stale_calibration(round_id) -> list:
    """What differs between the round's stored calibration and one computed now from its
    reviews: the ids of the rows (ProposalScore) whose calibrated score differs, and "round"
    when the round's summary (RoundCalibration) does: [] when the store is right."""
    from ..models import ProposalScore, RoundCalibration

    result = round_calibration(round_id)
    stale = []
    for pk, value, sort in ProposalScore.objects.filter(round_id=round_id).values_list(
            "proposal_id", "calibrated_score", "calibrated_sort_score"):
        want = _places(result.proposal_scores.get(pk))
        if value != want or sort != (NO_SCORE if want is None else want):
            stale.append(pk)
    summary = RoundCalibration.objects.filter(round_id=round_id).first()
    fields = _round_summary(result)
    if (summary is None and result.review_scores) or (summary is not None and any(
            getattr(summary, name) != value for name, value in fields.items())):
        stale.append("round")
    return stale


def stale_proposal_scores(proposals=None) -> list[int]:
    """The ids of the proposals (a Proposal queryset; all when None) whose stored row differs
    from what the proposal and its reviews say, or that are in a ranked state without a row:
    [] when the store is right. For tests and for checking a database."""
    from proposals.models import Proposal

    from ..models import ProposalScore

    proposals = Proposal.objects.all() if proposals is None else proposals
    stored = {row[0]: (row[0], row[1], row[2], _money(row[3]), row[4], _mean(row[5]),
                       _two(row[6]), _two(row[7]), row[8])
              if _mean(row[9]) == (NO_SCORE if row[5] is None else _mean(row[5])) else None
              for row in ProposalScore.objects.filter(
                  proposal__in=proposals.values("pk")).values_list(
                  "proposal_id", *(f"{name}_id" if name in ("round", "lead") else name
                                   for name in _FIELDS))}
    stale = []
    for want in computed_rows(proposals):
        have = stored.get(want[0], ())
        if have is None:  # its sort key is not its mean
            stale.append(want[0])
        elif have == ():
            if want[2] in RANKED or want[8]:
                stale.append(want[0])
        elif have != want:
            stale.append(want[0])
    return sorted(stale)


# --- signals (connected in reviews/apps.py) -----------------------------------------------------
def remember_state(sender, instance, **kwargs):
    """post_init of Assignment and Proposal: the state (and round) it was read with."""
    instance._loaded_state = instance.__dict__.get("state")
    instance._loaded_round_id = instance.__dict__.get("round_id")


def on_assignment_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_loaded_state", None)
    now = instance.__dict__.get("state")
    instance._loaded_state = now
    if not created and before == now:
        return  # a change of its review's score is the review's signal's
    if "submitted" in (before, now):
        refresh_proposal_scores([instance.proposal_id])


def on_assignment_deleted(sender, instance, **kwargs):
    if instance.__dict__.get("state") == "submitted":
        refresh_proposal_scores([instance.proposal_id], create=False)


def _assignment_of(review):
    from ..models import Assignment

    return Assignment.objects.filter(pk=review.assignment_id).values_list(
        "proposal_id", "state").first()


def on_review_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    assignment = _assignment_of(instance)
    if assignment and assignment[1] == "submitted":
        refresh_proposal_scores([assignment[0]])


def on_review_deleted(sender, instance, **kwargs):
    assignment = _assignment_of(instance)
    if assignment and assignment[1] == "submitted":
        refresh_proposal_scores([assignment[0]], create=False)


def on_proposal_saved(sender, instance, created=False, raw=False, **kwargs):
    """A proposal saved in a ranked state (or leaving one): its row follows its state,
    amount, lead and round. Drafts and proposals not yet in review cost nothing."""
    if raw:
        return
    before = getattr(instance, "_loaded_state", None)
    now = instance.__dict__.get("state")
    instance._loaded_state = now
    round_before = getattr(instance, "_loaded_round_id", None)
    round_now = instance.__dict__.get("round_id")
    instance._loaded_round_id = round_now
    if now in RANKED or before in RANKED:
        # Its reviews are calibrated within its round while it is ranked: moving to another
        # round, entering or leaving the ranked states (a withdrawal), or its row being made
        # changes a calibration; another state among the ranked ones or an amount does not.
        refresh_proposal_scores([instance.pk], calibrate=created or round_before != round_now
                                or (before in RANKED) != (now in RANKED))
