"""Each figure against hand-computed values on the small world of conftest.py."""

from decimal import Decimal

import pytest

from analytics.figures import build


def fig(world, key, public=False, **chosen):
    return build(key, viewer=world["manager"], chosen=chosen, public=public)


def rows(figure, table):
    return figure.table(table).rows


def test_funnel_counts_and_rates_per_round(world):
    figure = fig(world, "funnel", fund=world["funds"][0])
    by_round = {r["round"]: r for r in rows(figure, "rounds")}
    r1 = by_round["R1"]
    # 10 counted: the draft and the draft its lead withdrew are not.
    assert (r1["submitted"], r1["awaiting_screening"], r1["screened_out"], r1["sent_to_review"],
            r1["not_recommended"], r1["recommended"], r1["declined"], r1["funded"],
            r1["withdrawn"]) == (10, 1, 1, 7, 1, 5, 1, 3, 1)
    assert r1["screening_rate"] == 87.5  # 7 of 8 screened
    assert r1["recommendation_rate"] == 83.3  # 5 of 6 decided by the panel
    assert r1["funding_rate"] == 75.0  # 3 of 4 decided after a recommendation
    empty = by_round["R2 empty"]  # an empty round is listed, with no rate
    assert empty["submitted"] == 0 and empty["screening_rate"] is None
    assert by_round["R draft"]["submitted"] == 0  # fund managers see draft rounds
    assert "R3 one reviewer" not in by_round  # another fund
    assert figure.summary["submitted"] == 10


def test_funnel_filters_by_agency_and_year(world):
    d = fig(world, "funnel", agency=world["agencies"]["D"])
    assert d.summary["submitted"] == 4  # rec, fund, closed, wd
    y2024 = fig(world, "funnel", year_from=2024, year_to=2024)
    assert [r["round"] for r in rows(y2024, "rounds")][:-1] == ["R3 one reviewer"]
    assert y2024.summary["submitted"] == 1
    everything = fig(world, "funnel")
    assert everything.summary["submitted"] == 11


def test_times_median_and_90th_percentile(world):
    figure = fig(world, "times", round=world["r1"])
    got = {r["key"]: (r["proposals"], r["median_days"], r["p90_days"])
           for r in rows(figure, "times")}
    # Decisions after 8, 10, 12, 16, 20, 30 days: median at position 2.5, 90th at 4.5.
    assert got["decision"] == (6, 14.0, 25.0)
    # Recommendation to award: 2, 4, 10 days.
    assert got["award"] == (3, 4.0, 8.8)
    # Award to the first release: 1, 5, 6 (the closed award's second release is not first).
    assert got["first_release"] == (3, 5.0, 5.8)
    # Submission to the first money: 20, 21, 45.
    assert got["first_money"] == (3, 21.0, 40.2)


def test_times_with_nothing_to_count(world):
    figure = fig(world, "times", round=world["r2"])
    assert all(r["proposals"] == 0 and r["median_days"] is None for r in rows(figure, "times"))


def test_money_by_agency_and_totals(world):
    figure = fig(world, "money", fund=world["funds"][0])
    by_agency = {r["agency"]: r for r in rows(figure, "agencies")}
    assert by_agency["AAA"]["contributed"] == Decimal("1000.00")
    assert by_agency["BBB"]["contributed"] == Decimal("500.00")
    assert "CCC" in by_agency and by_agency["CCC"]["contributed"] == Decimal("0.00")  # fund 2's
    # fund (A B C D): released 100, committed 300; out (B A): 100 and 100 (100 returned);
    # closed (C D): 150 and 150.
    assert (by_agency["AAA"]["released_to_its_proposals"],
            by_agency["AAA"]["committed_to_its_proposals"]) == (Decimal("200.00"), Decimal("400.00"))
    assert (by_agency["CCC"]["released_to_its_proposals"],
            by_agency["CCC"]["committed_to_its_proposals"]) == (Decimal("250.00"), Decimal("450.00"))
    totals = {r["key"]: r["amount"] for r in rows(figure, "totals")}
    assert totals == {
        "contributed": Decimal("1500.00"), "awarded": Decimal("650.00"),
        "committed": Decimal("550.00"), "released": Decimal("350.00"),
        "returned": Decimal("100.00"), "spent": Decimal("230.00"),
    }


def test_money_contributions_follow_years(world):
    figure = fig(world, "money", year_from=2024, year_to=2024)
    assert figure.summary["contributed"] == "700.00"


def test_collaboration_pairs_and_crossing(world):
    figure = fig(world, "collaboration", round=world["r1"])
    pairs = {(r["agency"], r["with_agency"]): r["shared_proposals"] for r in rows(figure, "pairs")}
    assert pairs == {("AAA", "BBB"): 4, ("AAA", "CCC"): 4, ("AAA", "DDD"): 3, ("BBB", "CCC"): 4,
                     ("BBB", "DDD"): 1, ("CCC", "DDD"): 3}
    crossing = {r["agencies"]: r["proposals"] for r in rows(figure, "crossing")}
    assert crossing == {"1": 0, "2": 7, "3": 2, "4 or more": 1}
    matrix = {r["agency"]: r for r in rows(figure, "matrix")}
    assert matrix["BBB"]["DDD"] == 1 and matrix["DDD"]["BBB"] == 1 and matrix["AAA"]["AAA"] == ""


def test_outcomes_and_learnings(world):
    figure = fig(world, "outcomes")
    got = {r["key"]: r for r in rows(figure, "results")}
    assert (got["succeeded"]["outcomes"], got["succeeded"]["learnings"]) == (1, 0)
    assert got["partly_succeeded"]["outcomes"] == 0
    assert got["partly_succeeded"]["learnings_per_outcome"] is None
    failed = got["did_not_succeed"]
    assert (failed["outcomes"], failed["learnings"], failed["outcomes_with_learning"],
            failed["share_with_learning"], failed["learnings_per_outcome"]) == (1, 2, 1, 100.0, 2.0)
    assert failed["result"] == "Did not work as hoped — learning shared"


def test_reviewing_load_timeliness_agreement(world):
    figure = fig(world, "reviewing", round=world["r1"])
    s = figure.summary
    # Seven assignments count (the conflict never does); 3 reviewers with 3, 3 and 1.
    assert (s["assignments"], s["reviewers"], s["median_load"], s["p90_load"]) == (7, 3, 3.0, 3.0)
    assert (s["on_time"], s["late"], s["overdue"], s["not_yet_due"]) == (4, 1, 1, 1)
    # rev: 80 vs 40 (spread 40, recommendations differ); rej: 60 and 60 (identical scores).
    assert s["proposals_with_two_or_more_reviews"] == 2
    assert (s["within_spread"], s["same_recommendation"], s["mean_spread"]) == (50.0, 50.0, 20.0)
    load = {r["reviewer"]: r for r in rows(figure, "reviewers")}
    r1, r2, r3 = world["reviewers"]
    assert load[r1.get_full_name()]["assigned"] == 3 and load[r1.get_full_name()]["overdue"] == 1
    assert load[r3.get_full_name()]["assigned"] == 1  # the conflict on fund is not counted


def test_reviewing_a_round_with_one_reviewer(world):
    figure = fig(world, "reviewing", round=world["r3"])
    assert figure.summary["assignments"] == 1 and figure.summary["reviewers"] == 1
    assert figure.summary["proposals_with_two_or_more_reviews"] == 0
    assert figure.summary["within_spread"] is None
    assert any("at least 2 proposals with at least two submitted reviews" in note
               for note in figure.notes)


@pytest.mark.parametrize("key", ["funnel", "times", "money", "collaboration", "outcomes",
                                 "reviewing"])
def test_an_empty_round_gives_zeros_not_errors(world, key):
    figure = fig(world, key, round=world["r2"])
    assert figure.tables
