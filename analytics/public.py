"""The public figures: aggregates only, small counts hidden, the others rounded.

A count from 1 to 4 is not shown ("fewer than 5"; zero is shown); every other count is
rounded to the nearest 5 (7 shows as 5, 8 as 10). Five is the smallest cell the UK Office for
National Statistics and NHS England's small-number guidance publish for counts about people;
in a country-sized civil service a cell of one or two proposals in a round or an agency pair
names a team. Rounding to a base of 5 is how the UK's Higher Education Statistics Agency
(HESA, "Rounding and suppression to anonymise statistics") and the ONS ("Disclosure control
guidance for tables produced from administrative sources", 2014) stop a hidden count being
read back by subtraction: from a total and its shown parts (within one table, or across two
requests with different filters: a round against its fund, an agency within a round) the
difference is known only to within about ten in most cases. Not in all: parts that sit at
the top of their rounding intervals can pin a hidden count down (4, 27 and 27 show as hidden,
25 and 25, their total 58 as 60: only 4 fits), and so can a total made of hidden parts alone
(two rounds of 4, shown in all as 10). Closing that needs cell-key perturbation (each cell's
noise drawn from the records in it, as the ONS did for the 2021 census): not done yet, and
said in tests/analytics/test_public_suppression.py. Rates are computed from the
rounded counts shown beside them (so they say nothing more than those counts), and hidden
with any of their parts; the median and 90th percentile of a time only over 5 or more values.

Money: a sum about fewer than 5 proposals (an agency's proposals, the awards returned, the
outcome reports' spending) would state one or two teams' figures: hidden (`suppress_money`).
Award amounts themselves are public in the register of funded work (DOMAIN.md).

A hidden cell is `None` in the JSON and empty in the CSV.
"""

from __future__ import annotations

THRESHOLD = 5
BASE = 5  # public counts are rounded to a multiple of this

Cell = tuple[int, str]  # (row index, column key)


def small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def rounded(value):
    """A public count: 0 as it is, 1 to 4 hidden (None), else the nearest multiple of 5
    (halves up: 7 → 5, 8 → 10)."""
    if not isinstance(value, int) or isinstance(value, bool) or value == 0:
        return value
    if value < THRESHOLD:
        return None
    return BASE * ((value + BASE // 2) // BASE)


def shown(value) -> str:
    return f"fewer than {THRESHOLD}" if value is None else str(value)


def suppress_table(table, *, counts, rates=None) -> None:
    """Make `table`'s counts public in place (`rounded`) and its rates from them.

    `rates`: rate column -> (numerator column, other part column[, "ratio"]): a percentage of
    numerator over numerator + other part (the other part "outcomes" is the denominator
    itself), or with "ratio" numerator / other, two decimals. Hidden when a part is hidden or
    the denominator is 0."""
    for row in table.rows:
        for key in counts:
            row[key] = rounded(row[key])
        for key, (part, other, *kind) in (rates or {}).items():
            top, rest = row[part], row[other]
            if top is None or rest is None:
                row[key] = None
                continue
            if kind == ["ratio"]:
                row[key] = round(top / rest, 2) if rest else None
                continue
            whole = rest if other == "outcomes" else top + rest
            row[key] = round(100 * top / whole, 1) if whole else None


def suppress_money(table, *, amounts, basis: str) -> None:
    """Hide the money cells (columns `amounts`) of each row of `table` whose basis (column
    `basis`: the number of proposals the sum is about) is from 1 to 4."""
    for row in table.rows:
        if small(row.get(basis)):
            for key in amounts:
                row[key] = None


def suppress_spread_rows(table) -> None:
    """A time's row: its median and 90th percentile only over 5 or more values; its count
    rounded like every public count."""
    for row in table.rows:
        if 0 < row["proposals"] < THRESHOLD:
            row["median_days"] = row["p90_days"] = None
        row["proposals"] = rounded(row["proposals"])
