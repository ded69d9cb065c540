"""Median and 90th percentile computed by the database, the same answer on PostgreSQL and SQLite.

Definition (the one PostgreSQL's `percentile_cont` uses, Hyndman and Fan's type 7, also the
default of numpy and R): sort the n values v[0] <= ... <= v[n-1]; the p-th percentile is found
at position h = (n - 1) * p; with k = floor(h) it is v[k] + (h - k) * (v[k+1] - v[k]), i.e. a
straight-line interpolation between the two values around that position. The median is p = 0.5.
(PostgreSQL documentation, "Aggregate Functions", ordered-set aggregates; R. J. Hyndman and
Y. Fan, "Sample quantiles in statistical packages", The American Statistician 50(4), 1996.)

PostgreSQL: `percentile_cont(p) WITHIN GROUP (ORDER BY d)`. SQLite has no such aggregate: the
values are numbered by a window function and the two around each position are picked in the
same query, with the position computed in whole numbers ((n - 1) * percent / 100 and its
remainder) so that rounding never picks a different pair; the interpolation of those two
numbers is the only arithmetic done in Python. One query either way, whatever the row count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

PERCENTS = (50, 90)


@dataclass(frozen=True)
class Spread:
    """How many values, their median and 90th percentile (None when there are none)."""

    count: int
    median: float | None
    p90: float | None
    key: int = 0  # with `keyed`: the sum of column `k` over the values counted (public.py)


def days_between(start: str, end: str) -> str:
    """SQL for the days (with fractions) from the timestamp `start` to `end`."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 86400.0)"
    return f"(julianday({end}) - julianday({start}))"


def spread_of(values_sql: str, params, *, keyed: bool = False) -> Spread:
    """Median and 90th percentile of column `d` of the query `values_sql` (NULLs left out);
    `keyed`: also the sum of its column `k` over the same rows (a public cell's key), in the
    same query."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {'SUM(k)' if keyed else '0'}, COUNT(d), "
                + ", ".join(f"percentile_cont({p / 100}) WITHIN GROUP (ORDER BY d)"
                            for p in PERCENTS)
                + f" FROM ({values_sql}) AS t WHERE d IS NOT NULL", params)
            key, count, *found = cursor.fetchone()
            return Spread(int(count or 0), *[None if v is None else float(v) for v in found],
                          key=int(key or 0))
        picks = []
        for p in PERCENTS:
            at = f"((n - 1) * {p} / 100)"  # integers: exact
            picks += [f"MAX(CASE WHEN rn = {at} + 1 THEN d END)",
                      f"MAX(CASE WHEN rn = MIN({at} + 2, n) THEN d END)"]
        cursor.execute(
            f"WITH t AS ({values_sql}), o AS (SELECT d, {'k' if keyed else '0 AS k'}, "
            "ROW_NUMBER() OVER (ORDER BY d) AS rn, "
            "COUNT(*) OVER () AS n FROM t WHERE d IS NOT NULL) "
            f"SELECT SUM(k), MAX(n), {', '.join(picks)} FROM o", params)
        key, count, *pairs = cursor.fetchone()
    count = int(count or 0)
    if not count:
        return Spread(0, None, None)
    found = []
    for i, p in enumerate(PERCENTS):
        low, high = float(pairs[2 * i]), float(pairs[2 * i + 1])
        fraction = ((count - 1) * p % 100) / 100
        found.append(low + fraction * (high - low))
    return Spread(count, *found, key=int(key or 0))
