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
        {"a1": 70, "a2": 50, "a3": 60, "b1": 70, "b2": 50, "b3": 60, "c3": 90})
    # C wrote one review: it keeps its raw 90 (DOMAIN.md), so P3 = (60 + 60 + 90) / 3 = 70.
    assert result.proposal_scores == pytest.approx({"P1": 70, "P2": 50, "P3": 70})
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


def test_alpha_of_perfect_agreement_is_never_above_one():
    """Identical scores within each proposal, different across them: alpha is 1 exactly (the
    sum-of-squares form gave 1.0000000000000002 on the demo's scores, above alpha's bound)."""
    from hypothesis import given
    from hypothesis import strategies as st

    assert krippendorff_alpha_interval([[83.33, 83.33, 83.33], [66.67, 66.67], [50.0, 50.0]]) == 1.0

    score = st.floats(min_value=0, max_value=100, allow_nan=False)

    @given(st.lists(st.tuples(score, st.integers(min_value=2, max_value=5)), min_size=2,
                    max_size=8))
    def bounded(units):
        alpha = krippendorff_alpha_interval([[value] * m for value, m in units])
        assert alpha is None or alpha <= 1.0

    bounded()


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


def test_reviewer_with_identical_scores_keeps_them():
    # R1 gives 70 to all three (sd 0: kept as they are, DOMAIN.md); R2 gives P1 80, P2 60 (mean 70, sd sqrt(200)).
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


# --- stored, on the ranking page and in the API ------------------------------------------------

from decimal import Decimal  # noqa: E402

from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from fund.factories import RoundFactory  # noqa: E402
from people.factories import AgencyFactory, UserFactory  # noqa: E402
from proposals.models import Proposal  # noqa: E402
from reviews.factories import PanelFactory  # noqa: E402
from reviews.models import Assignment, ProposalScore, Review, RoundCalibration  # noqa: E402
from reviews.selectors import ranking_page  # noqa: E402
from reviews.services.scores import (  # noqa: E402
    calibrate_round,
    refresh_proposal_scores,
    stale_calibration,
)


def _worked_round(budget="100.00", lead=None):
    """WORKED as a closed round: P1, P2, P3 ask 60, 60, 60 (a budget of 100 funds one);
    reviewers A and B are panel members, C reviews P3 only."""
    round_ = RoundFactory(closed=True, budget=Decimal(budget))
    people = {name: UserFactory(username=f"rev{name}", first_name=name, last_name="Reviewer")
              for name in "ABC"}
    panel = PanelFactory(round=round_, members=list(people.values()))
    lead = lead or UserFactory()
    proposals = {name: Proposal.objects.create(
        round=round_, lead=lead, title=f"Proposal {name}", state="in_review",
        requested_amount=Decimal("60.00")) for name in ("P1", "P2", "P3")}
    for _key, proposal, reviewer, score in WORKED:
        assignment = Assignment.objects.create(
            proposal=proposals[proposal], reviewer=people[reviewer], panel=panel,
            due_on="2030-01-01", state="submitted")
        Review.objects.create(assignment=assignment, recommendation="fund",
                              weighted_score=Decimal(score))
    return round_, panel, proposals, people


def _stored(proposals):
    return {name: ProposalScore.objects.get(proposal=p).calibrated_score
            for name, p in proposals.items()}


@pytest.mark.django_db
def test_the_stored_calibration_is_the_worked_example():
    round_, _panel, proposals, _people = _worked_round()
    assert _stored(proposals) == {"P1": Decimal(70), "P2": Decimal(50), "P3": Decimal(70)}
    summary = RoundCalibration.objects.get(round=round_)
    assert summary.alpha == pytest.approx(-13 / 98)
    assert (summary.review_count, summary.reviewer_count, summary.flagged) == (7, 3, [])
    assert summary.round_mean == pytest.approx(60) and summary.pooled_sd == pytest.approx(10)
    assert stale_calibration(round_.pk) == []
    assert calibrate_round(round_.pk) == 0  # nothing to write when nothing changed


@pytest.mark.django_db
def test_one_submitted_review_recalibrates_every_proposal_its_reviewer_scored():
    round_, panel, proposals, people = _worked_round()
    # C reviews P1 too, 30: C now has two reviews (mean 60, sd sqrt(1800)), so every review
    # of the round moves (the round's mean and pooled sd), not only P1's.
    before = _stored(proposals)
    assignment = Assignment.objects.create(proposal=proposals["P1"], reviewer=people["C"],
                                           panel=panel, due_on="2030-01-01")
    Review.objects.create(assignment=assignment, recommendation="fund",
                          weighted_score=Decimal(30))
    assert _stored(proposals) == before  # a draft counts for nothing
    Assignment.objects.filter(pk=assignment.pk).update(state="submitted")  # skips signals
    assert stale_calibration(round_.pk) != []
    assignment.refresh_from_db()
    assignment.review.save()  # through the ORM: the row and the round are recomputed
    assert stale_calibration(round_.pk) == []
    after = _stored(proposals)
    assert after["P2"] != before["P2"] and after["P3"] != before["P3"]
    # Withdrawn (deleted), the round is back to the worked example.
    assignment.delete()
    assert _stored(proposals) == before


@pytest.mark.django_db
def test_an_empty_round_has_no_calibrated_scores():
    round_ = RoundFactory(closed=True)
    proposal = Proposal.objects.create(round=round_, lead=UserFactory(), title="Alone",
                                       state="in_review", requested_amount=Decimal(1))
    refresh_proposal_scores([proposal.pk])
    assert ProposalScore.objects.get(proposal=proposal).calibrated_score is None
    assert RoundCalibration.objects.get(round=round_).alpha is None
    assert stale_calibration(round_.pk) == []
    client = Client()
    client.force_login(UserFactory(fund_manager=True))
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "No review of this round has been submitted yet." in page


@pytest.mark.django_db
def test_the_ranking_sorts_by_either_score_and_the_funding_line_follows_the_mean():
    """DOMAIN.md: a calibrated score may be shown and sorted by, but the funding line always
    follows the official mean weighted score (found by an outsider's attack: sorting by the
    calibrated score moved the line)."""
    round_, _panel, proposals, _people = _worked_round()
    by_mean = ranking_page(round_=round_, viewer=None, page_size=None)
    by_calibrated = ranking_page(round_=round_, viewer=None, page_size=None,
                                 order="calibrated")
    # Raw means P3 66.67, P1 65, P2 45; calibrated P1 70, P3 70 (a tie, broken by the amount
    # asked, then the id: P1 first), P2 50.
    assert [r["proposal"].title for r in by_mean.rows] == [
        "Proposal P3", "Proposal P1", "Proposal P2"]
    assert [r["proposal"].title for r in by_calibrated.rows] == [
        "Proposal P1", "Proposal P3", "Proposal P2"]
    assert [r["calibrated_score"] for r in by_calibrated.rows] == [
        Decimal("70.00"), Decimal("70.00"), Decimal("50.00")]
    # A budget of 100 funds one proposal of 60: the first by mean score (P3), in either order.
    assert by_mean.funding_line_after_rank == by_calibrated.funding_line_after_rank == 1
    assert [r["above_funding_line"] for r in by_mean.rows] == [True, False, False]
    assert {r["proposal"].title: r["above_funding_line"] for r in by_calibrated.rows} == {
        "Proposal P3": True, "Proposal P1": False, "Proposal P2": False}
    assert [r["cumulative_requested"] for r in by_calibrated.rows] == [
        r["cumulative_requested"] for r in sorted(
            by_mean.rows, key=lambda r: ["Proposal P1", "Proposal P3", "Proposal P2"].index(
                r["proposal"].title))]
    assert not any(r["funding_line_before"] for r in by_calibrated.rows)
    assert by_calibrated.rows[0]["proposal"].title == "Proposal P1"
    assert by_mean.rows[0]["proposal"].title == "Proposal P3"

    manager = UserFactory(fund_manager=True)
    client = Client()
    client.force_login(manager)
    page = client.get(f"/reviews/rounds/{round_.pk}/ranking/", {"order": "calibrated"})
    text = page.content.decode()
    assert "Calibrated score" in text and "How calibration works" in text
    assert text.index("Proposal P1") < text.index("Proposal P3") < text.index("Proposal P2")
    assert "Krippendorff" in text and "-0.13" in text
    # An alpha below 0 is explained (the scale read "1 perfect, 0 chance" only), and nobody
    # is said to be in line when nobody has the reviews to be judged (a walkthrough).
    assert "below 0: the reviewers disagree more than chance alone would make them" in text
    assert "No reviewer with 3 or more reviews in this round scores far from their peers." in text
    api = APIClient()
    api.force_authenticate(manager)
    data = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"order": "calibrated"}).json()
    assert data["order"] == "calibrated" and data["calibration_shown"] is True
    assert [r["title"] for r in data["results"]] == ["Proposal P1", "Proposal P3", "Proposal P2"]
    assert [r["calibrated_score"] for r in data["results"]] == ["70.00", "70.00", "50.00"]
    assert data["agreement_alpha"] == pytest.approx(-13 / 98)
    assert data["funding_line_after_rank"] == 1
    data = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"order": "nonsense"}).json()
    assert data["order"] == "mean" and data["results"][0]["title"] == "Proposal P3"


def _flagged_round():
    """R1..R4 give 45, 50, 55 and R5 85, 90, 95 to P1, P2, P3: R5 is flagged."""
    round_ = RoundFactory(closed=True, budget=Decimal("1000.00"))
    people = [UserFactory(username=f"r{i}", first_name="Reviewer", last_name=f"Number{i}")
              for i in range(1, 6)]
    panel = PanelFactory(round=round_, members=people)
    lead = UserFactory()
    proposals = [Proposal.objects.create(round=round_, lead=lead, title=f"P{i}",
                                         state="in_review", requested_amount=Decimal(1))
                 for i in (1, 2, 3)]
    for person, base in zip(people, (50, 50, 50, 50, 90), strict=True):
        for i, proposal in enumerate(proposals):
            assignment = Assignment.objects.create(proposal=proposal, reviewer=person,
                                                   panel=panel, due_on="2030-01-01",
                                                   state="submitted")
            Review.objects.create(assignment=assignment, recommendation="fund",
                                  weighted_score=Decimal(base + 5 * (i - 1)))
    return round_, panel, people


@pytest.mark.django_db
def test_the_flagged_reviewer_is_named_to_fund_managers_and_the_chair():
    round_, panel, people = _flagged_round()
    assert RoundCalibration.objects.get(round=round_).flagged == [
        {"reviewer": people[4].pk, "mean": 90.0, "reviews": 3}]
    for viewer in (UserFactory(fund_manager=True), panel.chair):
        client = Client()
        client.force_login(viewer)
        text = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
        assert "Reviewer Number5" in text and "Reviewer Number1" not in text
        assert "scores far from their peers." not in text
        api = APIClient()
        api.force_authenticate(viewer)
        data = api.get(f"/api/v1/rounds/{round_.pk}/ranking/").json()
        assert data["flagged_reviewers"] == [
            {"reviewer": people[4].pk, "name": "Reviewer Number5", "mean_score": 90.0,
             "reviews": 3}]


def _assert_sees_no_calibration(user, round_):
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    for order in ("mean", "calibrated"):
        response = client.get(f"/reviews/rounds/{round_.pk}/ranking/", {"order": order})
        text = response.content.decode()
        for hidden in ("Calibrated score", "Krippendorff", "Number5", "How calibration works"):
            assert hidden not in text
        response = api.get(f"/api/v1/rounds/{round_.pk}/ranking/", {"order": order})
        if response.status_code == 403:
            assert b"results" not in response.content
            continue
        data = response.json()
        assert data["order"] == "mean" and data["calibration_shown"] is False
        assert data["agreement_alpha"] is None and data["flagged_reviewers"] == []
        assert all(r["calibrated_score"] is None for r in data["results"])


@pytest.mark.django_db
def test_who_may_not_see_scores_or_has_anything_set_apart_sees_no_calibration():
    round_, panel, people = _flagged_round()
    proposal = Proposal.objects.filter(round=round_).first()
    # HR (not a fund manager) and a panel member: no ranking at all.
    _assert_sees_no_calibration(UserFactory(hr_officer=True), round_)
    _assert_sees_no_calibration(people[0], round_)
    # The chair with their own review still open on a proposal of the round.
    Assignment.objects.create(proposal=proposal, reviewer=panel.chair, panel=panel,
                              due_on="2030-01-01")
    _assert_sees_no_calibration(panel.chair, round_)
    # A fund manager whose agency leads a proposal of the round (a conflict of interest).
    agency = AgencyFactory()
    conflicted = UserFactory(fund_manager=True, agency=agency)
    Proposal.objects.filter(pk=proposal.pk).update(lead=UserFactory(agency=agency))
    refresh_proposal_scores([proposal.pk])
    _assert_sees_no_calibration(conflicted, round_)


@pytest.mark.django_db
def test_a_withdrawn_proposal_leaves_the_calibration(django_capture_on_commit_callbacks):
    """Found by an outsider's attack: a proposal withdrawn from review stayed in the round's
    calibration, so a fund manager who had it set apart for a conflict (it left the ranking,
    and with it the reason to hide calibration from them) was shown alpha and calibrated
    scores made from its reviews. Only ranked proposals' reviews are calibrated."""
    from proposals.services.drafting import proposal_withdraw

    lead = UserFactory()
    round_, _panel, proposals, _people = _worked_round(lead=lead)
    assert RoundCalibration.objects.get(round=round_).review_count == 7
    proposal_withdraw(proposal=proposals["P3"], actor=lead)
    summary = RoundCalibration.objects.get(round=round_)
    # Left: A 80, 60 (P1, P2) and B 50, 30: M = 55, both sd sqrt(200), pooled sqrt(200);
    # P1's reviews sit one z = 10/sqrt(200) above each mean: 55 + 10 = 65 each.
    assert (summary.review_count, summary.reviewer_count) == (4, 2)
    assert summary.round_mean == pytest.approx(55)
    assert stale_calibration(round_.pk) == []
    assert ProposalScore.objects.get(proposal=proposals["P1"]).calibrated_score == Decimal(65)


@pytest.mark.django_db
def test_the_round_calibration_is_in_the_admin_read_only(client):
    round_, _panel, _proposals, _people = _worked_round()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    listed = client.get("/admin/reviews/roundcalibration/")
    assert listed.status_code == 200 and str(round_) in listed.content.decode()
    page = client.get(f"/admin/reviews/roundcalibration/{round_.pk}/change/")
    assert page.status_code == 200 and "Pooled sd" in page.content.decode()
    assert client.get("/admin/reviews/roundcalibration/add/").status_code == 403
    client.post(f"/admin/reviews/roundcalibration/{round_.pk}/delete/", {"post": "yes"})
    assert RoundCalibration.objects.filter(round=round_).exists()
    client.force_login(UserFactory(is_staff=True))  # staff without the permission
    assert client.get("/admin/reviews/roundcalibration/").status_code == 403


@pytest.mark.django_db
def test_the_portfolio_shows_the_calibrated_score_beside_the_mean():
    import csv
    import io

    from documents.portfolio import portfolio_csv_chunks, round_portfolio_context

    round_, panel, proposals, _people = _worked_round()
    manager = UserFactory(fund_manager=True)
    context = round_portfolio_context(round_, manager)
    assert context["calibration_shown"]
    assert {r.title: r.calibrated for r in context["ranked"]} == {
        "Proposal P1": Decimal("70.00"), "Proposal P2": Decimal("50.00"),
        "Proposal P3": Decimal("70.00")}
    text = b"".join(portfolio_csv_chunks(round_, manager)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["Title"]: r["Calibrated score"] for r in rows} == {
        "Proposal P1": "70.00", "Proposal P2": "50.00", "Proposal P3": "70.00"}
    # A chair with their own review open sees no calibration in either file.
    Assignment.objects.create(proposal=proposals["P1"], reviewer=panel.chair, panel=panel,
                              due_on="2030-01-01")
    assert not round_portfolio_context(round_, panel.chair)["calibration_shown"]
    text = b"".join(portfolio_csv_chunks(round_, panel.chair)).decode("utf-8-sig")
    assert all(r["Calibrated score"] == "" for r in csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_round_page_links_to_its_ranking_for_its_readers(client):
    round_, panel, _proposals, _people = _worked_round()
    client.force_login(UserFactory(fund_manager=True))
    page = client.get(f"/funds/rounds/{round_.pk}/").content.decode()
    assert f'href="/reviews/rounds/{round_.pk}/ranking/"' in page
    client.force_login(UserFactory(hr_officer=True))
    page = client.get(f"/funds/rounds/{round_.pk}/")
    assert f'/reviews/rounds/{round_.pk}/ranking/' not in page.content.decode()


# --- too few reviews to measure agreement (walkthrough finding) -------------------------------
def test_alpha_from_a_single_proposal_is_not_measured_not_zero():
    # One proposal, three reviewers who disagree: D_o = D_e by construction, so alpha was 0.
    assert krippendorff_alpha_interval([[80, 50, 65]]) is None
    assert calibrate([("a", "P1", "A", 80), ("b", "P1", "B", 50),
                      ("c", "P1", "C", 65), ("d", "P2", "A", 70)]).alpha is None
    # Two proposals with two reviews each are measured.
    assert krippendorff_alpha_interval([[80, 50], [60, 30]]) is not None


def _one_proposal_round():
    round_ = RoundFactory(closed=True, budget=Decimal("100.00"))
    people = [UserFactory(username=f"one{i}", first_name=f"One{i}") for i in range(3)]
    panel = PanelFactory(round=round_, members=people)
    proposal = Proposal.objects.create(round=round_, lead=UserFactory(), title="Only one",
                                       state="in_review", requested_amount=Decimal("60.00"))
    for person, score in zip(people, (80, 50, 65), strict=True):
        assignment = Assignment.objects.create(proposal=proposal, reviewer=person, panel=panel,
                                               due_on="2030-01-01", state="submitted")
        Review.objects.create(assignment=assignment, recommendation="fund",
                              weighted_score=Decimal(score))
    return round_


@pytest.mark.django_db
def test_the_ranking_page_api_and_pdf_say_too_few_reviews_instead_of_zero():
    from documents import portfolio
    from tests.documents.test_dzongkha_pdfs import pdf_text

    round_ = _one_proposal_round()
    assert RoundCalibration.objects.get(round=round_).alpha is None
    manager = UserFactory(fund_manager=True)
    client = Client()
    client.force_login(manager)
    text = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    assert "too few reviews to measure agreement" in text
    assert "<strong>0.00</strong>" not in text and "not defined yet" not in text
    api = APIClient()
    api.force_authenticate(manager)
    data = api.get(f"/api/v1/rounds/{round_.pk}/ranking/").json()
    assert data["agreement_alpha"] is None
    assert data["agreement_alpha_reason"] == "too_few_reviews"
    assert data["agreement_alpha_note"] == "too few reviews to measure agreement"
    pdf = " ".join(pdf_text(portfolio.round_portfolio_pdf(round_, manager)).split())
    assert "too few reviews to measure agreement" in pdf
    # A measured round says its number, and no reason.
    worked, *_ = _worked_round()
    data = api.get(f"/api/v1/rounds/{worked.pk}/ranking/").json()
    assert data["agreement_alpha"] == pytest.approx(-13 / 98)
    assert data["agreement_alpha_reason"] is None and data["agreement_alpha_note"] is None
    pdf = " ".join(pdf_text(portfolio.round_portfolio_pdf(worked, manager)).split())
    assert "-0.13" in pdf


@pytest.mark.django_db
def test_analytics_reviewing_does_not_measure_agreement_on_one_proposal():
    from analytics.figures import build

    round_ = _one_proposal_round()
    manager = UserFactory(fund_manager=True)
    figure = build("reviewing", viewer=manager, chosen={"round": round_})
    assert figure.summary["proposals_with_two_or_more_reviews"] == 1
    assert (figure.summary["within_spread"], figure.summary["same_recommendation"],
            figure.summary["mean_spread"]) == (None, None, None)
    assert any("too few reviews to measure agreement" in note for note in figure.notes)
    client = Client()
    client.force_login(manager)
    csv = client.get("/analytics/reviewing/", {"round": round_.pk, "download": "csv",
                                                "table": "summary"}).content.decode()
    within = next(line for line in csv.splitlines() if "disagreement threshold" in line)
    assert within.rstrip().endswith("too few reviews to measure agreement")  # not 0.0 or 100.0
    page = client.get("/analytics/reviewing/", {"round": round_.pk}).content.decode()
    assert page.count("too few reviews to measure agreement") >= 3  # the note, the rows
