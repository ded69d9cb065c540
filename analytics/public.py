"""The public figures: aggregates only, small cells suppressed, and no suppressed cell
recoverable from the cells shown.

Threshold: a count from 1 to 4 is not shown ("fewer than 5"; zero is shown). Five is the
smallest cell the UK Office for National Statistics and NHS England's small-number guidance
publish for counts about people; in a country-sized civil service a cell of one or two
proposals in a round or an agency pair names a team.

Secondary (complementary) suppression, as statistical offices do it (ONS, "Disclosure control
guidance for tables produced from administrative sources", 2014; Hundepool et al.,
"Statistical Disclosure Control", Wiley 2012, ch. 4): where published cells add up to a
published total (a round's states to its "submitted", the rounds to the total row), a single
hidden cell could be read back by subtraction, so the smallest other non-zero cell of that
sum is hidden too, until every sum with a hidden cell hides at least two. A rate is shown only
when its numerator, its denominator and their difference are each 0 or at least 5, and none of
its parts is hidden; the median and 90th percentile of a time only over 5 or more values.

Money: a sum of money about fewer than 5 proposals (an agency's proposals, the awards
returned, the outcome reports' spending) would state one or two teams' figures: hidden the
same way (`suppress_money`).

A suppressed cell is `None` in the JSON and empty in the CSV.

Not covered: differences between two requests with different filters (a round against its
fund, one year against two). Those need a published-tables plan, not per-table rules.
"""

from __future__ import annotations

THRESHOLD = 5

Cell = tuple[int, str]  # (row index, column key)


def small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def shown(value) -> str:
    return f"fewer than {THRESHOLD}" if value is None else str(value)


def _complement(rows: list[dict], raw: list[dict], groups: list[list[Cell]]) -> None:
    """Hide, in each group of cells that add up (parts and their published total), a second
    cell wherever exactly one is hidden: the smallest other non-zero one. Repeated until no
    group has a single hidden cell (hiding one cell can leave another group with one)."""
    changed = True
    while changed:
        changed = False
        for group in groups:
            hidden = [c for c in group if rows[c[0]][c[1]] is None and raw[c[0]][c[1]]]
            if len(hidden) != 1:
                continue
            others = [c for c in group if rows[c[0]][c[1]] is not None and raw[c[0]][c[1]]]
            if not others:
                continue
            row, key = min(others, key=lambda c: (raw[c[0]][c[1]], c))
            rows[row][key] = None
            changed = True


def suppress_table(table, *, counts, rates=None, row_sums=(), column_sums=False,
                   column_groups=()) -> None:
    """Hide the small counts of `table` in place, the cells that would reveal them by
    subtraction, and the rates that would reveal them.

    - `counts`: the count columns;
    - `rates`: rate column -> (numerator column, other part column) before suppression (the
      other part "outcomes" is the denominator itself);
    - `row_sums`: (total column, [part columns]): in each row the parts add up to the total;
    - `column_sums`: the last row is the total of the rows above it, column by column;
    - `column_groups`: count columns whose rows add up to a total published elsewhere (or
      derivable): treated as a sum with no total cell here.
    """
    rows = table.rows
    raw = [dict(row) for row in rows]
    for row in rows:
        for key in counts:
            if small(row[key]):
                row[key] = None
    groups: list[list[Cell]] = []
    for i in range(len(rows)):
        for total, parts in row_sums:
            groups.append([(i, total), *[(i, p) for p in parts]])
    if column_sums and len(rows) > 1:  # the total row is a member of each column's sum
        groups += [[(i, key) for i in range(len(rows))] for key in counts]
    for key in column_groups:
        groups.append([(i, key) for i in range(len(rows))])
    _complement(rows, raw, groups)
    for i, row in enumerate(rows):
        for key, (part, other) in (rates or {}).items():
            whole = (raw[i][part] or 0) + (raw[i][other] or 0) if other != "outcomes" \
                else raw[i][other]
            if any(small(v) for v in (raw[i][part], whole, whole - raw[i][part])) or \
                    row[part] is None or row[other] is None:
                row[key] = None


def suppress_money(table, *, amounts, basis: str) -> None:
    """Hide the money cells (columns `amounts`) of each row of `table` whose basis (column
    `basis`: the number of proposals the sum is about) is from 1 to 4."""
    for row in table.rows:
        if small(row.get(basis)):
            for key in amounts:
                row[key] = None


def suppress_spread_rows(table) -> None:
    for row in table.rows:
        if 0 < row["proposals"] < THRESHOLD:
            row["proposals"] = row["median_days"] = row["p90_days"] = None
