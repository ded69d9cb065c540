"""The public figures: aggregates only, small counts hidden, the others perturbed by cell key
and rounded.

Sources: Office for National Statistics, "Protecting personal data in Census 2021 results"
(the cell-key method as applied to the Census 2021 tables of England and Wales); the
Australian Bureau of Statistics' cell-key perturbation method, G. Fraser and J. Wooton, "A
proposed method for confidentialising tabular output to protect against differencing" (UNECE
work session on statistical data confidentiality, 2005) and K. J. Thompson, S. Broadfoot and
D. Elazar, "Methodology for the automatic confidentialisation of statistical outputs from
remote servers at the Australian Bureau of Statistics" (UNECE, 2013). Also the UK's HESA
("Rounding and suppression to anonymise statistics") for rounding to a base of 5, and the ONS
and NHS England small-number guidance for 5 as the smallest published count about people.

What is published for a count of proposals (`published`):
- 0 as it is (an empty cell names nobody);
- 1 to 4: hidden (None; "fewer than 5"), whatever its key: in a country-sized civil service a
  cell of one or two proposals in a round or an agency pair names a team;
- 5 and more: count + noise, rounded to the nearest multiple of 5 (halves up), and never below
  5. The noise (−3 to +3) is read from the fixed table `PTABLE` at the count's row and the
  cell's key: each proposal has a record key drawn at random once, at its creation
  (proposals.Proposal.record_key, 0–255, never shown), and a cell's key is the sum of the
  record keys of what it counts, modulo 256, summed by the database in the query that counts
  it (analytics/selectors.py). The same proposals always give the same cell key, hence the
  same published value, whichever request, filter or table they are reached by: asking again
  tells nothing new and cannot be averaged away; a different set (a round against its fund,
  an agency within a round) has an unrelated key, so its noise is drawn independently.

Why rounding stays on top of the noise: the reader's question is "which true counts could
show as this value?". With rounding alone that is v−2..v+2, and parts at the top of their
intervals pin a hidden count by subtraction (4, 27, 27 showed as hidden, 25, 25, their total
58 as 60: only 4 fitted). With noise alone (−a..+a) it is v−a..v+a, and the same happens when
the total's noise and the parts' are at opposite ends. With both, every row of the table
holding each noise from −3 to +3, the true counts that can show as v are exactly v−5..v+5
(5..10 for v = 5; 0 only for 0): intervals whose ends are all multiples of 5. Subtracting
published parts from a published total (in one table or across requests) then leaves, for a
single hidden part, an interval whose ends are multiples of 5 and which holds its true count
(1 to 4): so it holds all of 1 to 4, and the reader learns nothing about it (the record keys
of the hidden part can make up any cell key, so every such world is possible). With up to
four hidden parts in one breakdown, none of them is ever pinned to one value (it would take
five hidden parts all of 1 or all of 4). tests/analytics/test_public_suppression.py checks
the table for every count up to 1,200 and every key, the old hole under every key, and these
claims on breakdowns drawn by hypothesis. What it does not claim: combining many
breakdowns that share several hidden cells is a larger puzzle this argument does not cover;
money and times are perturbed differently (below).

The table (`PTABLE`, 256 rows by 256 cell keys): a column of 256 noises, 96 zeros, 44 each of
+1 and −1, 26 each of +2 and −2, 10 each of +3 and −3 (mean zero, so totals are not biased;
most cells move by at most one before rounding), turned by 97 places for each count: row n
is the column started at (97·n) mod 256, so two cells of different counts with the same key
get unrelated noise; a count of 256 or more uses row count mod 256. It is public (nothing
rests on hiding it); the record keys are what a reader never sees.

Rates are computed from the published counts beside them (so they say nothing more than
those counts), and hidden with any of their parts; the median and 90th percentile of a time
only over 5 or more values. Published values may therefore not add up to the totals shown:
the pages say so.

Money: a sum about fewer than 5 proposals (an agency's proposals, the awards returned, the
outcome reports' spending) would state one or two teams' figures: hidden (`suppress_money`).
A sum about 5 or more is perturbed too (`published_money`): exact sums of 6 and of 5 of the
same proposals (a round with and without an agency) gave one team's spending to the cent by
subtraction (an outsider's attack). Each is multiplied by 1 + noise/30 (within ±10%), the
noise read from `PTABLE` at a row of its own (`MONEY_ROW` further than the count's) and the
cell key of the proposals it is about, then rounded to a whole 1,000: the same proposals give
the same published sum, two sets unrelated noise, so a difference of two sums is one team's
figure give or take a tenth of each sum. This is the spirit of the ABS's perturbation of
magnitudes (Thompson, Broadfoot and Elazar, 2013, above), which scales the noise to the
cell's largest contributions; here it is scaled to the cell's total, which the queries
already have. Award amounts themselves are public in the register of funded work (DOMAIN.md):
the agencies' contributions, about no proposal, are published as they are.

Times: a median or 90th percentile over 5 or more values, published exactly, gave one
proposal's days to decision from a round with and without an agency (four equations, four
unknowns: an outsider's attack). They are perturbed like money (`published_days`: times
1 + noise/30 at a row of their own, the cell key of the proposals counted) and given in whole
days.

A hidden cell is `None` in the JSON and empty in the CSV. The cell keys travel with a table's
rows as `row["_keys"]` (column -> cell key) only until the table is made public, which
removes them: a key beside its published value would give the noise away.
"""

from __future__ import annotations

from collections.abc import Iterable

THRESHOLD = 5
BASE = 5  # public counts are rounded to a multiple of this
KEYS = 256  # record and cell keys are 0..KEYS-1
STEP = 97  # each count's row starts this many places further down the column (odd: all 256)

# The column of noises each row is turned from: how many of the 256 keys give each noise.
_SHARES = {0: 96, 1: 44, -1: 44, 2: 26, -2: 26, 3: 10, -3: 10}
_COLUMN = tuple(noise for noise, keys in _SHARES.items() for _ in range(keys))
assert len(_COLUMN) == KEYS and sum(_COLUMN) == 0  # noqa: S101 (the table's definition)
PTABLE: tuple[tuple[int, ...], ...] = tuple(
    tuple(_COLUMN[(key + STEP * row) % KEYS] for key in range(KEYS)) for row in range(KEYS))

Cell = tuple[int, str]  # (row index, column key)


def small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def cell_key(sums: Iterable) -> int:
    """A cell's key from sums of record keys (the database's, None for none): their total
    modulo 256."""
    return sum(int(s or 0) for s in sums) % KEYS


def noise(count: int, key: int) -> int:
    """The table's noise for a count and a cell key."""
    return PTABLE[count % KEYS][key % KEYS]


def _nearest(value: int) -> int:
    """The nearest multiple of 5, halves up (7 → 5, 8 → 10)."""
    return BASE * ((value + BASE // 2) // BASE)


def published(count, key: int):
    """What the public sees of a count whose cell key is `key`: 0 as it is, 1 to 4 hidden
    (None), else count + noise rounded to the nearest multiple of 5, never below 5."""
    if not isinstance(count, int) or isinstance(count, bool) or count == 0:
        return count
    if count < THRESHOLD:
        return None
    return max(BASE, _nearest(count + noise(count, key)))


def shown(value) -> str:
    """A published count as words: a hidden one (None) is "fewer than 5"."""
    from django.utils.translation import gettext

    return gettext("fewer than %(threshold)s") % {"threshold": THRESHOLD} if value is None \
        else str(value)


def suppress_table(table, *, counts, rates=None) -> None:
    """Make `table`'s counts public in place (`published`, with the cell keys each row carries
    in `_keys`, then dropped) and its rates from them.

    `rates`: rate column -> (numerator column, other part column[, "ratio"]): a percentage of
    numerator over numerator + other part (the other part "outcomes" is the denominator
    itself), or with "ratio" numerator / other, two decimals. Hidden when a part is hidden or
    the denominator is 0."""
    for row in table.rows:
        keys = row.pop("_keys", None) or {}
        for key in counts:
            if row[key] and key not in keys:  # never a count made public without its key
                raise KeyError(f"no cell key for {key!r}")
            row[key] = published(row[key], keys.get(key, 0))
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


MONEY_ROW = 128  # money's and times' noise rows start this far from their count's
MONEY_BASE = 1000  # public sums of money are rounded to a multiple of this
PERTURBATION = 30  # a value is multiplied by 1 + noise / PERTURBATION (noise -3..3: ±10%)


def _perturbed(value, count: int, key: int, offset: int):
    """`value` times 1 + noise/PERTURBATION, the noise at the row `count` + `offset` (so it
    is unrelated to the count's own) and the cell key `key`."""
    from decimal import Decimal

    factor = 1 + Decimal(PTABLE[(count + offset) % KEYS][key % KEYS]) / PERTURBATION
    return Decimal(value) * factor


def published_money(amount, count, key: int):
    """A public sum of money about `count` proposals whose cell key is `key`: None (hidden)
    about 1 to 4, as it is about none (None or 0), else perturbed within ±10% and rounded to
    a whole 1,000 (halves up), never below 0. A Decimal with two places, like the sums."""
    from decimal import ROUND_HALF_UP, Decimal

    if amount is None or not count:
        return amount
    if small(count):
        return None
    value = _perturbed(amount, count, key, MONEY_ROW)
    rounded = (value / MONEY_BASE).quantize(Decimal(1), rounding=ROUND_HALF_UP) * MONEY_BASE
    return max(Decimal(0), rounded).quantize(Decimal("0.01"))


def published_days(days, count, key: int):
    """A public median or 90th percentile of `count` times whose cell key is `key`: perturbed
    within ±10% (its own noise row, 2 × `MONEY_ROW` from the count's) and given in whole days.
    None stays None; over fewer than 5 values it is hidden before (`suppress_spread_rows`)."""
    from decimal import ROUND_HALF_UP, Decimal

    if days is None:
        return None
    value = _perturbed(Decimal(str(days)), count, key, 2 * MONEY_ROW)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def suppress_money(table, *, amounts, basis: str) -> None:
    """Make the money cells (columns `amounts`) of each row of `table` public: hidden where
    the row's basis (column `basis`: the number of proposals the sums are about, still the
    true count) is from 1 to 4, else perturbed (`published_money`) with the cell key of that
    basis (the row's `_keys`, which `suppress_table` drops after)."""
    for row in table.rows:
        count = row.get(basis)
        if count is None:  # about no proposal (the agencies' contributions): as it is
            continue
        key = (row.get("_keys") or {}).get(basis)
        if count and not small(count) and key is None:  # never perturbed without its key
            raise KeyError(f"no cell key for {basis!r}")
        for column in amounts:
            row[column] = published_money(row[column], count, key or 0)


def suppress_spread_rows(table) -> None:
    """A time's row: its median and 90th percentile only over 5 or more values; its count
    published like every public count (its cell key in `_keys["proposals"]`)."""
    for row in table.rows:
        count = row["proposals"]
        if 0 < count < THRESHOLD:
            row["median_days"] = row["p90_days"] = None
        elif count:
            key = row["_keys"]["proposals"]
            row["median_days"] = published_days(row["median_days"], count, key)
            row["p90_days"] = published_days(row["p90_days"], count, key)
    suppress_table(table, counts=["proposals"])
