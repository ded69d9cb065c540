"""The public figures (analytics/public.py): counts from 1 to 4 hidden; every other count
perturbed by its cell key (the sum of its proposals' record keys, modulo 256) from a fixed
table, then rounded to a multiple of 5 and never below 5; rates from the published counts; no
sum of money about fewer than five proposals.

What is proved here, against a reader who knows the table and the method but no record key
(`consistent`: every assignment of true counts that would publish exactly what was published;
the record keys of a hidden part can make up any cell key, so every such assignment is a
possible world):
- no count from 1 to 4 is ever published, and no published count is below 0 (every count up to
  1,200, every key);
- subtracting a breakdown's published parts from its published total (in one table, or from
  different requests) leaves a single hidden part's count entirely unknown: all of 1, 2, 3 and
  4 stay possible, whatever the counts and record keys (the old hole, 4, 27 and 27, included:
  rounding alone pinned it to 4);
- with two to four hidden parts in one breakdown, none of them is pinned to one value.
Not claimed: puzzles combining many breakdowns that share several hidden cells."""

from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.figures import Table, build
from analytics.public import (
    PTABLE,
    STEP,
    cell_key,
    noise,
    published,
    suppress_table,
)
from analytics.views import figure_json
from fund.factories import FundFactory, RoundFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal

LIMIT = 1200


def _old_rounded(n):
    """The rule before cell keys: 1 to 4 hidden, others to the nearest 5 (halves up)."""
    if n == 0:
        return 0
    return None if n < 5 else 5 * ((n + 2) // 5)


SHOWS = [{published(n, k) for k in range(256)} for n in range(LIMIT)]
SHOWS_OLD = [{_old_rounded(n)} for n in range(LIMIT)]


def could_be(shown, shows=SHOWS) -> set[int]:
    """Every true count that can be published as `shown` (under some cell key)."""
    return {n for n in range(LIMIT) if shown in shows[n]}


def consistent(total_shown, parts_shown, shows=SHOWS) -> list[tuple[int, ...]]:
    """The hidden parts' counts (in order) that agree with a published total and its parts
    (None: hidden): some true total and published parts' counts that could show as shown."""
    sums = {0}
    for shown in parts_shown:
        if shown is not None:
            sums = {s + p for s in sums for p in could_be(shown, shows)}
    left = {n - s for n in could_be(total_shown, shows) for s in sums}
    hidden = sum(1 for shown in parts_shown if shown is None)
    return [h for h in product(range(1, 5), repeat=hidden) if sum(h) in left]


def test_no_count_from_1_to_4_is_published_none_below_0_and_every_noise_is_small():
    for n in range(LIMIT):
        for k in range(256):
            shown = published(n, k)
            if n == 0:
                assert shown == 0
            elif n < 5:
                assert shown is None, (n, k)
            else:
                assert shown >= 5 and shown % 5 == 0 and abs(shown - n) <= 5, (n, k, shown)


def test_the_table_holds_every_noise_in_every_row_and_is_zero_mean():
    column = PTABLE[0]
    assert {v: column.count(v) for v in set(column)} == {
        0: 96, 1: 44, -1: 44, 2: 26, -2: 26, 3: 10, -3: 10}
    for row in range(256):
        assert sorted(PTABLE[row]) == sorted(column) and sum(PTABLE[row]) == 0
        assert PTABLE[row][0] == column[(STEP * row) % 256]  # each row the column, turned
    # What the reader can say of a published value: exactly an interval ending on multiples
    # of 5 (what the proof rests on).
    assert could_be(0) == {0}
    assert could_be(5) == set(range(5, 11))
    assert could_be(60) == set(range(55, 66))


def test_a_cell_key_and_a_table_lookup_by_hand():
    # Three proposals with record keys 200, 100 and 7: cell key (200 + 100 + 7) mod 256 = 51.
    assert cell_key([200, 100, 7]) == 51
    assert cell_key([None, 300]) == 44  # a sum of none (NULL) is 0
    # Count 27 with cell key 0: row 27 starts at 97 × 27 = 2619 = 10 × 256 + 59, place 59 of
    # the column: the 96 zeros are places 0–95, so the noise is 0; 27 shows as 25.
    assert noise(27, 0) == 0 and published(27, 0) == 25
    # Key 40: place 99, among the +1s (places 96–139): 28, shown as 30.
    assert noise(27, 40) == 1 and published(27, 40) == 30
    # Count 58, key 200: 97 × 58 = 5626 = 21 × 256 + 250; 250 + 200 = 450 = 256 + 194, among
    # the +2s (places 184–209): 60, shown as 60.
    assert noise(58, 200) == 2 and published(58, 200) == 60
    # Count 5, key 152: 485 mod 256 = 229, 229 + 152 = 381 = 256 + 125: +1, 6, shown as 5.
    # Count 5, key 20: place 249, among the −3s (246–255): 2 would round to 0, shown as 5.
    assert noise(5, 152) == 1 and published(5, 152) == 5
    assert noise(5, 20) == -3 and published(5, 20) == 5
    # A count of 256 or more uses row count mod 256: 300 uses row 44.
    assert noise(300, 9) == PTABLE[44][9]


def test_the_old_hole_4_27_27_no_longer_pins_the_hidden_count():
    """Rounding alone: 4, 27 and 27 showed as hidden, 25, 25 and their total 58 as 60, and
    only 4 fitted. Now, under every key the three published cells can have (the hidden
    part's records make up any key of the total), every value from 1 to 4 still fits."""
    assert consistent(60, [None, 25, 25], SHOWS_OLD) == [(4,)]
    outcomes = set(product(SHOWS[58], SHOWS[27], SHOWS[27]))
    assert len(outcomes) > 1
    for total, first, second in outcomes:
        assert consistent(total, [None, first, second]) == [(1,), (2,), (3,), (4,)], (
            total, first, second)
    # The outsider's first request pair (a fund's 10 against one round's 7 and one of 3), and
    # a total made of hidden parts alone (two rounds of 4, their total 8).
    for total, one in product(SHOWS[10], SHOWS[7]):
        assert consistent(total, [one, None]) == [(1,), (2,), (3,), (4,)]
    for total in SHOWS[8]:
        assert {h[0] for h in consistent(total, [None, None])} == {1, 2, 3, 4}


@st.composite
def worlds(draw):
    """A breakdown: 1 to 6 parts of 0 to 40 proposals (small ones often). The cell keys are
    drawn by their noise, each noise of the count's row as likely as any other (so the
    table's rare ends, where a subtraction is most telling, are tried as often as the
    middle); the first hidden part's records then make up the total's key, as a hidden part's
    records can. Each part's records carry its key on the first one, 0 on the others."""
    counts = draw(st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)),
                           min_size=1, max_size=6))

    def key_for(n):
        row = PTABLE[n % 256]
        return row.index(draw(st.sampled_from(sorted(set(row)))))

    keys = [key_for(n) if n >= 5 else draw(st.integers(0, 255)) for n in counts]
    hidden = [i for i, n in enumerate(counts) if 0 < n < 5]
    if hidden and sum(counts) >= 5:
        i = hidden[0]
        keys[i] = (key_for(sum(counts)) - sum(k for j, k in enumerate(keys) if j != i)) % 256
    return [[k, *[0] * (n - 1)] if n else [] for n, k in zip(counts, keys, strict=True)]


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_differencing_a_breakdown_never_pins_a_hidden_count(parts):
    shown = [published(len(keys), cell_key(keys)) for keys in parts]
    everything = [k for keys in parts for k in keys]
    total = published(len(everything), cell_key(everything))  # the same key as summed parts
    assert cell_key(everything) == cell_key(cell_key(keys) for keys in parts)
    for count, value in [*((len(k), s) for k, s in zip(parts, shown, strict=True)),
                         (len(everything), total)]:
        assert value is None if 0 < count < 5 else value >= 0 and value not in (1, 2, 3, 4)
    hidden = [len(keys) for keys, value in zip(parts, shown, strict=True) if value is None]
    if total is None or not hidden:
        return  # a hidden total: every part is 1 to 4 too; nothing hidden: nothing to find
    worlds_left = consistent(total, shown)
    assert tuple(hidden) in worlds_left  # the reader's reasoning is sound
    for i in range(len(hidden)):
        possible = {h[i] for h in worlds_left}
        if len(hidden) == 1:
            assert possible == {1, 2, 3, 4}, (parts, shown, total)
        elif len(hidden) <= 4:
            assert len(possible) >= 2, (parts, shown, total)


def test_a_rate_is_computed_from_the_published_counts_and_hidden_with_a_part():
    table = Table("t", "t", [], [
        {"sent": 18, "out": 7, "rate": 72.0, "learnings": 12, "outcomes": 9, "per": 1.33,
         "_keys": {"sent": 0, "out": 0, "learnings": 0, "outcomes": 0}},
        {"sent": 20, "out": 3, "rate": 87.0, "learnings": 0, "outcomes": 0, "per": None,
         "_keys": {"sent": 0, "out": 0, "learnings": 0, "outcomes": 0}}])
    suppress_table(table, counts=["sent", "out", "learnings", "outcomes"],
                   rates={"rate": ("sent", "out"), "per": ("learnings", "outcomes", "ratio")})
    first, second = table.rows
    # Key 0 everywhere: 18 → place 97·18 mod 256 = 210 (−2): 16, 15; 7 → 167 (−1): 6, 5;
    # 12 → 140 (−1): 11, 10; 9 → 105 (+1): 10, 10.
    assert (noise(18, 0), noise(7, 0), noise(12, 0), noise(9, 0)) == (-2, -1, -1, 1)
    assert (first["sent"], first["out"], first["rate"]) == (15, 5, 75.0)
    assert (first["learnings"], first["outcomes"], first["per"]) == (10, 10, 1.0)
    assert (second["out"], second["rate"], second["per"]) == (None, None, None)
    assert "_keys" not in first and "_keys" not in second  # a key never leaves


def test_a_count_is_never_published_without_its_cell_key():
    with pytest.raises(KeyError):
        suppress_table(Table("t", "t", [], [{"sent": 18}]), counts=["sent"])


def _random_keys(seed: int) -> dict[int, int]:
    import random

    rng = random.Random(seed)
    keys = {}
    for pk in Proposal.objects.order_by("pk").values_list("pk", flat=True):
        keys[pk] = rng.randrange(256)
        Proposal.objects.filter(pk=pk).update(record_key=keys[pk])
    return keys


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_public_cell_is_perturbed_by_its_proposals_record_keys(world, seed):
    """The database's sums of record keys: recomputed here from the proposals themselves."""
    keys = _random_keys(seed)
    p = world["p"]
    r1 = [p[k] for k in ("sub", "inel", "rev", "rej", "rec", "dec", "fund", "out", "closed",
                         "wd")]
    reviewed = [p[k] for k in ("rev", "rej", "rec", "dec", "fund", "out", "closed")]
    funnel = build("funnel", viewer=None, chosen={"round": world["r1"]}, public=True)
    row = funnel.table("rounds").rows[0]
    assert row["submitted"] == published(10, cell_key(keys[x.pk] for x in r1))
    assert row["sent_to_review"] == published(7, cell_key(keys[x.pk] for x in reviewed))
    everything = build("funnel", viewer=None, chosen={}, public=True).summary
    assert everything["submitted"] == published(
        11, cell_key(keys[x.pk] for x in [*r1, p["one"]]))
    # Crossing two agencies in R1: sub, inel, rej, dec, out, closed, wd.
    two = [p[k] for k in ("sub", "inel", "rej", "dec", "out", "closed", "wd")]
    crossing = build("collaboration", viewer=None, chosen={"round": world["r1"]}, public=True)
    assert {r["agencies"]: r["proposals"] for r in crossing.table("crossing").rows}["2"] == \
        published(7, cell_key(keys[x.pk] for x in two))
    # The panel's six decisions in R1 (one each): rej, rec, fund, out, closed, dec.
    decided = [p[k] for k in ("rej", "rec", "fund", "out", "closed", "dec")]
    times = build("times", viewer=None, chosen={"round": world["r1"]}, public=True)
    assert {r["key"]: r["proposals"] for r in times.table("times").rows}["decision"] == \
        published(6, cell_key(keys[x.pk] for x in decided))


def test_money_and_outcome_counts_carry_their_proposals_record_keys(world):
    """The keys the database sums for the money's and the outcomes' counts (small here, so
    hidden on the page): checked against the proposals counted, by hand."""
    from analytics import selectors

    keys = _random_keys(6)
    k = {name: keys[p.pk] for name, p in world["p"].items()}
    inside = selectors.money_figures(chosen={}, public=False)
    money = selectors.money_figures(chosen={}, public=True)
    assert money["basis"] == inside["basis"]  # the same counts, counted again with keys
    # Awards: fund (released, scheduled), out (reported, cancelled), closed (both reported).
    assert {m: v % 256 for m, v in money["keys"]["basis"].items()} == {
        "awarded": cell_key([k["fund"], k["out"], k["closed"]]),
        "committed": cell_key([k["fund"], k["out"], k["closed"]]),
        "released": cell_key([k["fund"], k["out"], k["closed"]]),
        "returned": cell_key([k["out"]]), "spent": cell_key([k["out"], k["closed"]])}
    # Agency A takes part in fund (lead) and out (partner) of the awarded proposals.
    a = world["agencies"]["A"].pk
    assert money["received"][a][2] == 2
    assert money["keys"]["received"][a] % 256 == cell_key([k["fund"], k["out"]])
    found = selectors.outcome_counts(chosen={}, public=True)
    failed, succeeded = found["reports"]["did_not_succeed"], found["reports"]["succeeded"]
    assert (failed["outcomes"], failed["key_outcomes"] % 256) == (1, k["out"])
    assert (failed["with_learning"], failed["key_outcomes_with_learning"] % 256) == (1, k["out"])
    assert (succeeded["outcomes"], succeeded["with_learning"]) == (1, 0)
    assert found["learnings"]["did_not_succeed"]["key_learnings"] % 256 == k["out"]


def test_the_same_cell_shows_the_same_value_whatever_the_request(world, client):
    _random_keys(4)
    r1, f1 = world["r1"], world["funds"][0]

    def r1_row(chosen):
        rows = build("funnel", viewer=None, chosen=chosen, public=True).table("rounds").rows
        return next(r for r in rows if r["round"] == "R1")

    alone = r1_row({"round": r1})
    for chosen in ({}, {"fund": f1}, {"round": r1}):
        row = r1_row(chosen)
        assert {k: row[k] for k in alone if k not in ("round",)} == \
            {k: alone[k] for k in alone if k not in ("round",)}, chosen
    api = client.get(f"/api/v1/analytics/public/funnel/?round={r1.pk}").json()
    again = client.get(f"/api/v1/analytics/public/funnel/?round={r1.pk}").json()
    download = client.get(f"/analytics/public/funnel/?round={r1.pk}&download=json").json()
    assert api["tables"] == again["tables"] == download["tables"]
    assert api["tables"]["rounds"]["rows"][0]["submitted"] == alone["submitted"]


def test_no_cell_key_leaves_a_public_figure(world):
    _random_keys(5)
    for key in ("funnel", "times", "money", "collaboration", "outcomes"):
        figure = build(key, viewer=None, chosen={}, public=True)
        assert all("_keys" not in row for t in figure.tables for row in t.rows), key
        assert "_keys" not in str(figure_json(figure, {})), key


@pytest.mark.django_db
def test_a_round_of_4_between_two_of_27_cannot_be_found_through_the_pages():
    """The hole end to end: a fund with rounds of 4, 27 and 27 submitted proposals (random
    record keys, as created): from the public funnel of the fund (its three rounds and its
    total), every value from 1 to 4 still fits the small round."""
    fund = FundFactory(name="Differencing")
    rounds = [RoundFactory(fund=fund, title=f"D{i}") for i in range(3)]
    for round_, n in zip(rounds, (4, 27, 27), strict=True):
        ProposalFactory.create_batch(n, round=round_, submitted=True)
    figure = build("funnel", viewer=None, chosen={"fund": fund}, public=True)
    shown = {r["round"]: r["submitted"] for r in figure.table("rounds").rows}
    parts = [shown["D0"], shown["D1"], shown["D2"]]
    assert parts[0] is None and None not in parts[1:]
    assert consistent(figure.summary["submitted"], parts) == [(1,), (2,), (3,), (4,)]


def test_public_money_about_fewer_than_five_proposals_is_hidden(world):
    inside = build("money", viewer=world["manager"], chosen={"fund": world["funds"][0]})
    public = build("money", viewer=None, chosen={"fund": world["funds"][0]}, public=True)
    # Three awards in this fund: each agency's proposals and every total but the
    # contributions are about fewer than five.
    for row in public.table("agencies").rows:
        assert row["committed_to_its_proposals"] is None, row
        assert row["released_to_its_proposals"] is None, row
        assert row["contributed"] is not None
    totals = {r["key"]: r["amount"] for r in public.table("totals").rows}
    assert totals["contributed"] == Decimal("1500.00")
    assert {k for k, v in totals.items() if v is None} == {
        "awarded", "committed", "released", "returned", "spent"}
    assert public.summary["awarded"] is None
    # Who runs the fund sees every sum, with how many proposals it is about.
    counted = {r["key"]: r["proposals"] for r in inside.table("totals").rows}
    assert counted["awarded"] == 3 and counted["returned"] == 1
    assert {r["key"]: r["amount"] for r in inside.table("totals").rows}["awarded"] == \
        Decimal("650.00")
