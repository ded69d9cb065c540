"""Calibrated scores (issue 17): the arithmetic of reviews/calibration.py against worked
examples computed by hand below."""

from math import isclose, sqrt

import pytest

from reviews.calibration import calibrate, krippendorff_alpha_interval

# A worked example. Reviewers A (lenient-ish, three reviews), B (harsh, three reviews) and C
# (one review) score proposals P1, P2, P3 (weighted scores, 0-100):
#        P1  P2  P3
#   A    80  60  70     mean 70, sd sqrt((100 + 100 + 0) / 2) = 10
#   B    50  30  40     mean 40, sd 10
#   C            90     one review: z = 0
# Round mean M = (80+60+70+50+30+40+90) / 7 = 60.
# Pooled sd S = sqrt((2 * 10^2 + 2 * 10^2 + 0) / (2 + 2 + 0)) = 10.
# z: A  +1 -1 0; B  +1 -1 0; C 0.  Calibrated = 60 + 10 z: A 70 50 60; B 70 50 60; C 60.
# Proposals: P1 (70+70)/2 = 70, P2 50, P3 (60+60+60)/3 = 60,
# where the raw means were P1 65, P2 45, P3 66.67: calibration puts P1 above P3.
WORKED = [
    ("a1", "P1", "A", 80), ("a2", "P2", "A", 60), ("a3", "P3", "A", 70),
    ("b1", "P1", "B", 50), ("b2", "P2", "B", 30), ("b3", "P3", "B", 40),
    ("c3", "P3", "C", 90),
]


def test_worked_example():
    result = calibrate(WORKED)
    assert result.round_mean == pytest.approx(60)
    assert result.pooled_sd == pytest.approx(10)
    assert result.reviewers["A"].mean == pytest.approx(70)
    assert result.reviewers["A"].sd == pytest.approx(10)
    assert result.reviewers["B"].mean == pytest.approx(40)
    assert (result.reviewers["C"].count, result.reviewers["C"].sd) == (1, 0.0)
    assert result.review_scores == pytest.approx(
        {"a1": 70, "a2": 50, "a3": 60, "b1": 70, "b2": 50, "b3": 60, "c3": 60})
    assert result.proposal_scores == pytest.approx({"P1": 70, "P2": 50, "P3": 60})
    # Reviewers' means 70, 40, 90: sample sd 25.17, 1.5 x = 37.7; the farthest from M = 60
    # is C (30), who has one review anyway: nobody is flagged.
    assert result.flagged == []


def test_worked_example_alpha():
    # Units P1 [80, 50], P2 [60, 30], P3 [70, 40, 90]; n = 7 pairable values.
    # D_o = (2*30^2/1 + 2*30^2/1 + 2*(30^2 + 20^2 + 50^2)/2) / 7 = 7400 / 7.
    # D_e: sum over ordered pairs = 2 n sum (x - mean)^2 = 2 * 7 * 2800 = 39200,
    #      D_e = 39200 / (7 * 6).
    # alpha = 1 - (7400/7) / (39200/42) = 1 - 111/98 = -13/98.
    assert calibrate(WORKED).alpha == pytest.approx(-13 / 98)


def test_alpha_matches_krippendorffs_published_interval_example():
    # Krippendorff (2011), section C: 4 observers, 12 units (missing values left out);
    # interval alpha = 0.849.
    units = [[1, 1, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2],
             [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [5, 5, 5], [1, 1], [3]]
    assert round(krippendorff_alpha_interval(units), 3) == 0.849


def test_alpha_undefined_and_perfect():
    assert krippendorff_alpha_interval([]) is None
    assert krippendorff_alpha_interval([[50], [70]]) is None  # nothing pairable
    assert krippendorff_alpha_interval([[50, 50], [50, 50]]) is None  # no variation
    assert krippendorff_alpha_interval([[40, 40], [80, 80]]) == pytest.approx(1.0)


def test_empty_round():
    result = calibrate([])
    assert (result.review_scores, result.proposal_scores, result.reviewers) == ({}, {}, {})
    assert (result.round_mean, result.pooled_sd, result.alpha) == (None, None, None)
    assert result.flagged == []


def test_round_with_one_reviewer_keeps_their_scores():
    # One reviewer: M = their mean 70, S = their sd 10, so M + z S gives back each score;
    # no proposal has two reviews, so alpha is undefined.
    result = calibrate([("r1", "P1", "R", 80), ("r2", "P2", "R", 60), ("r3", "P3", "R", 70)])
    assert result.proposal_scores == pytest.approx({"P1": 80, "P2": 60, "P3": 70})
    assert result.alpha is None
    assert result.flagged == []


def test_reviewer_with_identical_scores_counts_at_the_round_mean():
    # R1 gives 70 to all three (sd 0: z = 0); R2 gives P1 80, P2 60 (mean 70, sd sqrt(200)).
    # M = 350 / 5 = 70; S = sqrt((0 * 2 + 200 * 1) / 3) = sqrt(200/3);
    # R2's z = +-10/sqrt(200), z S = +-10/sqrt(3) = +-5.7735.
    result = calibrate([("a", "P1", "R1", 70), ("b", "P2", "R1", 70), ("c", "P3", "R1", 70),
                        ("d", "P1", "R2", 80), ("e", "P2", "R2", 60)])
    assert result.reviewers["R1"].sd == 0.0
    assert result.pooled_sd == pytest.approx(sqrt(200 / 3))
    assert result.review_scores["a"] == result.review_scores["c"] == pytest.approx(70)
    assert result.review_scores["d"] == pytest.approx(70 + 10 / sqrt(3))
    assert result.proposal_scores["P1"] == pytest.approx(70 + 5 / sqrt(3))
    assert result.proposal_scores["P2"] == pytest.approx(70 - 5 / sqrt(3))
    assert result.proposal_scores["P3"] == pytest.approx(70)


def test_calibrated_scores_are_clipped_to_the_scale():
    # A: 0 and 100 (mean 50, sd sqrt(5000)); B: 100 three times (sd 0).
    # M = 400/5 = 80, S = sqrt(5000 / 3) = 40.82; A's 100 maps to 80 + 0.7071 * 40.82 = 108.9,
    # clipped to 100; A's 0 to 51.13.
    result = calibrate([("a1", "P1", "A", 0), ("a2", "P2", "A", 100),
                        ("b1", "P1", "B", 100), ("b2", "P2", "B", 100), ("b3", "P3", "B", 100)])
    assert result.review_scores["a2"] == 100.0
    assert result.review_scores["a1"] == pytest.approx(80 - sqrt(5000 / 3) / sqrt(2))


def test_a_reviewer_far_from_their_peers_is_flagged():
    # R1..R4 give 45, 50, 55; R5 gives 85, 90, 95. Means 50 x4 and 90: their sample sd
    # sqrt((4 * 8^2 + 32^2) / 4) = sqrt(320) = 17.89, 1.5 x = 26.83. M = 870 / 15 = 58:
    # |90 - 58| = 32 > 26.83 flags R5; |50 - 58| = 8 flags nobody else.
    reviews = [(f"{r}{p}", f"P{p}", r, base + 5 * (p - 2))
               for r, base in (("R1", 50), ("R2", 50), ("R3", 50), ("R4", 50), ("R5", 90))
               for p in (1, 2, 3)]
    result = calibrate(reviews)
    assert result.round_mean == pytest.approx(58)
    assert [s.reviewer for s in result.flagged] == ["R5"]
    # With two reviews only, the same reviewer is not flagged (at least 3 are needed).
    fewer = [r for r in reviews if r[0] != "R53"]
    assert isclose(calibrate(fewer).reviewers["R5"].mean, 87.5)
    assert calibrate(fewer).flagged == []
