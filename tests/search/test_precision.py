"""Similar work finds the earlier proposal a new one repeats: precision of the top 5 on the
labelled set (45 pairs, 10 non-matches), on SQLite and on PostgreSQL alike."""

import pytest
from django.db import connection

from .labelled import EARLIER, NON_MATCHES, PAIRS
from .precision import measure

TOP5_FLOOR = 0.90
TOP1_FLOOR = 0.75


def test_the_labelled_set_is_large_enough():
    assert len(PAIRS) >= 40 and len(NON_MATCHES) >= 10
    assert len({key for key, *_ in EARLIER}) == len(EARLIER)


@pytest.mark.parametrize("stored", [False, True], ids=["as-drafted", "stored-at-submission"])
def test_precision_of_the_top_five(db, stored):
    figures = measure(stored=stored)
    print(f"\n{connection.vendor} ({'stored' if stored else 'searched'}): {figures}")
    assert figures.top5 >= TOP5_FLOOR, str(figures)
    assert figures.top1 >= TOP1_FLOOR, str(figures)
    assert figures.false_duplicates == 0, str(figures)
