"""The public figures: aggregates only, small cells suppressed.

Threshold: a count from 1 to 4 is not shown ("fewer than 5"; zero is shown). Five is the
smallest cell the UK Office for National Statistics and NHS England's small-number guidance
publish for counts about people; in a country-sized civil service a cell of one or two
proposals in a round or an agency pair names a team. A rate is shown only when its numerator,
its denominator and their difference are each 0 or at least 5 (else the hidden count could be
read back from it), and the median and 90th percentile of a time only over 5 or more values.
A suppressed cell is `None` in the JSON and empty in the CSV.
"""

from __future__ import annotations

THRESHOLD = 5


def small(value) -> bool:
    return isinstance(value, int) and 0 < value < THRESHOLD


def shown(value) -> str:
    return f"fewer than {THRESHOLD}" if value is None else str(value)


def suppress_table(table, *, counts, rates=None) -> None:
    """Hide the small counts of `table` in place, and the rates that would reveal them.
    `rates`: rate column -> (numerator column, other part column) before suppression."""
    for row in table.rows:
        raw = dict(row)
        for key, (part, other) in (rates or {}).items():
            whole = (raw[part] or 0) + (raw[other] or 0) if other != "outcomes" else raw[other]
            if any(small(v) for v in (raw[part], whole, whole - raw[part])):
                row[key] = None
        for key in counts:
            if small(raw[key]):
                row[key] = None


def suppress_spread_rows(table) -> None:
    for row in table.rows:
        if 0 < row["proposals"] < THRESHOLD:
            row["proposals"] = row["median_days"] = row["p90_days"] = None
