"""Calibrated scores: each reviewer's leniency or harshness within a round taken out of their
weighted scores, the reviewers whose scores sit far from their peers', and the round's
inter-reviewer agreement (issue 17). Pure functions on plain numbers; the stored copies the
ranking reads are kept by reviews/services/scores.py (`calibrate_round`).

Method (z-score standardisation of each reviewer's scores within the round, the usual
correction for reviewer leniency: Siegelman, S. S. (1991) "Assassins and zealots: variations
in peer review", Radiology 178(3):637-642, on reviewers who are consistently harsh or lenient;
Bornmann, L. & Daniel, H.-D. on the reliability and fairness of peer review):

- a review's score x is its weighted score, 0-100 (`Review.weighted_score`);
- each reviewer r has, over their n_r counted reviews in the round, a mean m_r and a sample
  standard deviation s_r (divisor n_r - 1);
- the review's z = (x - m_r) / s_r. A reviewer with fewer than two reviews, or whose scores
  are all equal (s_r = 0), keeps their raw scores (DOMAIN.md): their scores carry no
  information about their leniency, so nothing is taken out of them;
- the round's mean M is the mean of all its reviews' scores; its pooled standard deviation
  S = sqrt(sum_r (n_r - 1) s_r^2 / sum_r (n_r - 1)) over the reviewers with two reviews or
  more (the within-reviewer spread; 0 when there is none);
- the review's calibrated score is M + z * S, clipped to [0, 100] (x itself for a reviewer
  who keeps raw scores);
- a proposal's calibrated score is the mean of its reviews' calibrated scores.

A reviewer is flagged when they wrote at least `FLAG_MIN_REVIEWS` (3) reviews in the round and
|m_r - M| > `FLAG_SDS` (1.5) times the sample standard deviation of the reviewers' means (over
every reviewer of the round; no flag with fewer than two reviewers or when all means are
equal).

Agreement: Krippendorff's alpha for interval data over proposals (units) x reviewers (coders),
Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability", University of
Pennsylvania, Annenberg School for Communication, departmental paper 43, section C (interval
metric delta^2 = (c - k)^2): alpha = 1 - D_o / D_e, with n the number of pairable values (those
in units holding two values or more), D_o = (1/n) sum_u (1/(m_u - 1)) sum_{c != k in u}
(c - k)^2 and D_e = (1/(n(n - 1))) sum_{c != k over all n values} (c - k)^2, the sums over
ordered pairs of values. None when undefined: fewer than two pairable values, or no variation
at all (D_e = 0). 1 is perfect agreement, 0 agreement no better than chance.

Too few to measure: alpha needs at least `AGREEMENT_MIN_PROPOSALS` (2) proposals with two
reviews or more. From a single proposal it is 0 whatever the scores (its values are compared
with nothing but each other, so D_o = D_e): that 0.00 said "no better than chance" where
nothing was measured. Pages, PDFs, files and the API then say `TOO_FEW_TO_MEASURE`.
"""

import math
from dataclasses import dataclass, field
from math import sqrt

from django.utils.translation import gettext_lazy

FLAG_MIN_REVIEWS = 3
FLAG_SDS = 1.5
AGREEMENT_MIN_PROPOSALS = 2
# Said instead of a number wherever agreement is shown (API: `agreement_alpha` null with this
# reason, code "too_few_reviews").
TOO_FEW_TO_MEASURE = gettext_lazy("too few reviews to measure agreement")
TOO_FEW_TO_MEASURE_WHY = gettext_lazy(
    "it needs at least two proposals with two reviews or more each, and scores that differ")


@dataclass(frozen=True)
class ReviewerStats:
    """A reviewer's reviews in the round: their number, mean and sample standard deviation
    (0.0 with one review); `flagged` per the module's rule."""

    reviewer: object
    count: int
    mean: float
    sd: float
    flagged: bool = False


@dataclass
class Calibration:
    """What `calibrate` finds for a round. Scores are on the 0-100 scale.

    `review_scores` maps each review's key to its calibrated score, `proposal_scores` each
    proposal to the mean of its reviews' calibrated scores, `reviewers` each reviewer to their
    stats; `round_mean` and `pooled_sd` are M and S (None for an empty round); `alpha` is
    Krippendorff's interval alpha (None when undefined)."""

    review_scores: dict = field(default_factory=dict)
    proposal_scores: dict = field(default_factory=dict)
    reviewers: dict = field(default_factory=dict)
    round_mean: float | None = None
    pooled_sd: float | None = None
    alpha: float | None = None

    @property
    def flagged(self) -> list[ReviewerStats]:
        return [stats for stats in self.reviewers.values() if stats.flagged]


def _mean(values) -> float:
    return sum(values) / len(values)


def _sample_sd(values) -> float:
    """Sample standard deviation (divisor n - 1); 0.0 for fewer than two values."""
    if len(values) < 2:
        return 0.0
    m = _mean(values)
    return sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def krippendorff_alpha_interval(units) -> float | None:
    """Krippendorff's alpha, interval metric (Krippendorff 2011, see the module docstring).

    `units`: an iterable of sequences of numbers, the values the coders gave one unit (here:
    the weighted scores of one proposal's reviews). Units with fewer than two values are not
    pairable and are left out. Returns a float at most 1 (negative when disagreement exceeds
    chance), or None when undefined or too few to measure (fewer than
    `AGREEMENT_MIN_PROPOSALS` pairable units, or no variation)."""
    pairable = [[float(v) for v in values] for values in units if len(values) >= 2]
    n = sum(len(values) for values in pairable)
    if n < 2 or len(pairable) < AGREEMENT_MIN_PROPOSALS:
        return None

    def ordered_pair_squares(values) -> float:
        # sum over ordered pairs c != k of (c - k)^2 = 2 m sum (x - mean)^2: the deviations
        # form, not 2 (m sum x^2 - (sum x)^2), whose cancellation left d_o a hair below 0 for
        # identical scores and so an alpha of 1.0000000000000002
        m = len(values)
        mean = math.fsum(values) / m
        return 2 * m * math.fsum((v - mean) ** 2 for v in values)

    d_o = sum(ordered_pair_squares(values) / (len(values) - 1) for values in pairable) / n
    d_e = ordered_pair_squares([v for values in pairable for v in values]) / (n * (n - 1))
    if d_e <= 1e-12:
        return None
    return min(1.0, 1 - d_o / d_e)


def calibrate(reviews) -> Calibration:
    """Calibrate a round's reviews.

    `reviews`: an iterable of (review key, proposal, reviewer, score) with score a number on
    0-100 (keys, proposals and reviewers any hashable ids). An empty round gives an empty
    `Calibration` (no scores, means or alpha)."""
    reviews = [(key, proposal, reviewer, float(score))
               for key, proposal, reviewer, score in reviews]
    result = Calibration()
    if not reviews:
        return result
    by_reviewer: dict = {}
    by_proposal: dict = {}
    for _key, proposal, reviewer, score in reviews:
        by_reviewer.setdefault(reviewer, []).append(score)
        by_proposal.setdefault(proposal, []).append(score)
    round_mean = _mean([score for *_, score in reviews])
    stats = {reviewer: ReviewerStats(reviewer, len(scores), _mean(scores), _sample_sd(scores))
             for reviewer, scores in by_reviewer.items()}
    dof = sum(s.count - 1 for s in stats.values())
    pooled_sd = sqrt(sum((s.count - 1) * s.sd ** 2 for s in stats.values()) / dof) if dof else 0.0

    means_sd = _sample_sd([s.mean for s in stats.values()])
    if means_sd > 0:
        stats = {reviewer: ReviewerStats(
            s.reviewer, s.count, s.mean, s.sd,
            flagged=s.count >= FLAG_MIN_REVIEWS
            and abs(s.mean - round_mean) > FLAG_SDS * means_sd)
            for reviewer, s in stats.items()}

    calibrated_by_proposal: dict = {}
    for key, proposal, reviewer, score in reviews:
        s = stats[reviewer]
        if s.count < 2 or s.sd == 0:
            calibrated = score  # keeps raw scores (DOMAIN.md)
        else:
            z = (score - s.mean) / s.sd
            calibrated = min(100.0, max(0.0, round_mean + z * pooled_sd))
        result.review_scores[key] = calibrated
        calibrated_by_proposal.setdefault(proposal, []).append(calibrated)
    result.proposal_scores = {proposal: _mean(values)
                              for proposal, values in calibrated_by_proposal.items()}
    result.reviewers = stats
    result.round_mean, result.pooled_sd = round_mean, pooled_sd
    result.alpha = krippendorff_alpha_interval(by_proposal.values())
    return result
