"""The percentile definition (PostgreSQL's percentile_cont, Hyndman and Fan's type 7), the same
on SQLite's fallback: this module runs on both (DATABASE_URL for PostgreSQL)."""

import pytest

from analytics.percentiles import spread_of

pytestmark = pytest.mark.django_db


def values_sql(values):
    return " UNION ALL ".join("SELECT %s AS d" for _ in values) or "SELECT NULL AS d", list(values)


@pytest.mark.parametrize("values, median, p90", [
    ([4.0], 4.0, 4.0),
    ([1.0, 2.0], 1.5, 1.9),
    ([3.0, 1.0, 4.0, 2.0], 2.5, 3.7),  # positions 1.5 and 2.7 of 0..3, sorted first
    ([5.0, 5.0, 5.0], 5.0, 5.0),  # identical values
    ([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0], 50.0, 90.0),
    ([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0], 45.0, 81.0),
])
def test_median_and_90th_percentile(values, median, p90):
    sql, params = values_sql(values)
    found = spread_of(sql, params)
    assert found.count == len(values)
    assert found.median == pytest.approx(median)
    assert found.p90 == pytest.approx(p90)


def test_nothing_to_count():
    found = spread_of("SELECT 1.0 AS d WHERE 1 = 0", [])
    assert (found.count, found.median, found.p90) == (0, None, None)
