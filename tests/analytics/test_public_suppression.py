"""The public figures hide small cells so that no hidden cell can be read back by subtraction
(secondary suppression), no rate reveals a hidden count, and no sum of money about fewer than
five proposals is shown."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.figures import Table, build
from analytics.public import THRESHOLD, suppress_table

PARTS = ["awaiting", "out", "sent", "withdrawn"]


def funnel_table(rows: list[dict]) -> Table:
    """Rows of parts with their `submitted` total, and a total row adding the rows up."""
    made = [dict(r, submitted=sum(r[p] for p in PARTS)) for r in rows]
    made.append({k: sum(r[k] for r in made) for k in ["submitted", *PARTS]})
    return Table("t", "t", [(k, k) for k in ["submitted", *PARTS]], made)


def suppress(table: Table) -> list[dict]:
    raw = [dict(r) for r in table.rows]
    suppress_table(table, counts=["submitted", *PARTS], row_sums=[("submitted", PARTS)],
                   column_sums=True)
    return raw


def recoverable(table: Table, raw: list[dict]) -> list:
    """Hidden non-zero cells that are the only hidden cell of a sum they belong to."""
    rows = table.rows
    groups = [[(i, "submitted"), *[(i, p) for p in PARTS]] for i in range(len(rows))]
    groups += [[(i, k) for i in range(len(rows))] for k in ["submitted", *PARTS]]
    found = []
    for group in groups:
        hidden = [c for c in group if rows[c[0]][c[1]] is None and raw[c[0]][c[1]]]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_a_small_cell_in_a_row_hides_the_next_smallest_of_its_row():
    table = funnel_table([{"awaiting": 2, "out": 0, "sent": 13, "withdrawn": 6},
                          {"awaiting": 9, "out": 8, "sent": 13, "withdrawn": 7}])
    raw = suppress(table)
    first = table.rows[0]
    assert first["awaiting"] is None and first["withdrawn"] is None  # 2, and 6 with it
    assert first["submitted"] == 21 and first["sent"] == 13 and first["out"] == 0
    assert not recoverable(table, raw)


def test_a_small_cell_in_a_column_hides_another_of_its_column():
    table = funnel_table([{"awaiting": 2, "out": 5, "sent": 20, "withdrawn": 9},
                          {"awaiting": 6, "out": 5, "sent": 20, "withdrawn": 9}])
    raw = suppress(table)
    column = [r["awaiting"] for r in table.rows]
    assert column.count(None) >= 2  # round 1's 2 is not the total's 8 less round 2's 6
    assert not recoverable(table, raw)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({p: st.integers(0, 12) for p in PARTS}),
                min_size=1, max_size=4))
def test_no_hidden_cell_is_ever_the_only_hidden_cell_of_a_sum(rows):
    table = funnel_table(rows)
    raw = suppress(table)
    assert not recoverable(table, raw)
    for row, before in zip(table.rows, raw, strict=True):
        for key, value in row.items():
            assert value is None or not 0 < value < THRESHOLD
            assert value is None or value == before[key]  # shown cells are never changed


def test_a_rate_is_hidden_when_a_part_of_it_is_hidden_by_the_second_rule():
    table = Table("t", "t", [], [{"sent": 20, "out": 6, "awaiting": 2, "withdrawn": 0,
                                  "submitted": 28, "rate": 76.9}])
    suppress_table(table, counts=["sent", "out", "awaiting", "withdrawn", "submitted"],
                   row_sums=[("submitted", ["sent", "out", "awaiting", "withdrawn"])],
                   rates={"rate": ("sent", "out")})
    row = table.rows[0]
    assert row["awaiting"] is None and row["out"] is None  # 2, and 6 (the next smallest)
    assert row["rate"] is None  # 20 / 26 would give the 6 back


def test_public_money_about_fewer_than_five_proposals_is_hidden(world):
    inside = build("money", viewer=world["manager"], chosen={"fund": world["funds"][0]})
    public = build("money", viewer=None, chosen={"fund": world["funds"][0]}, public=True)
    # Three awards in this fund: each agency's proposals and every total but the
    # contributions are about fewer than five.
    for row in public.table("agencies").rows:
        assert row["committed_to_its_proposals"] is None, row
        assert row["released_to_its_proposals"] is None, row
        assert row["contributed"] is not None
    totals = {r["measure"]: r["amount"] for r in public.table("totals").rows}
    assert totals["contributed"] == Decimal("1500.00")
    assert {k for k, v in totals.items() if v is None} == {
        "awarded", "committed", "released", "returned", "spent"}
    assert public.summary["awarded"] is None
    # Who runs the fund sees every sum, with how many proposals it is about.
    counted = {r["measure"]: r["proposals"] for r in inside.table("totals").rows}
    assert counted["awarded"] == 3 and counted["returned"] == 1
    assert {r["measure"]: r["amount"] for r in inside.table("totals").rows}["awarded"] == \
        Decimal("650.00")
