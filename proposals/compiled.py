"""A query built once per process, not once per request (issue 16): a home section's rule
(portal/home.py), a person's ways into the proposals for the API's list (`selectors`).

Building a section's rule as a QuerySet (its visibility and conflict filters, `Q` objects,
joins, subqueries) and compiling it to SQL took most of a home page's Python time at 100k
proposals, yet the SQL is the same for every person of the same kind: only the parameters
differ (the person's id, their agency's id, the candidate ids of a kept section). `compiled`
builds it twice per process for each kind of person (`shape`), once with each of two sets of
marks (numbers no id equals) in place of the values, checks that the SQL is the same and that
the parameters differ exactly where the marks are (else it raises: the query was not constant),
and from then on answers that SQL with the values put where the marks were. The rule itself is
still the selectors' own (the builder calls them); tests/portal/test_compiled.py checks that
the answers are those of the query built anew.

`person_as(user, pk, agency_id)`: a copy of `user` with another id and agency, for a builder: it
keeps the person's roles (read once per request and kept on the user), so the query built for
the marks is the one built for the person."""

import copy

from django.db import connection

# Two sets of marks: n-th value -> FIRST - n, SECOND - n (ids are positive).
_FIRST, _SECOND = -7_100_000_000_000, -7_200_000_000_000
_BUILT: dict[tuple, tuple[str, list, list[tuple[int, int]]] | None] = {}
_KEPT_MAX = 500


def shape(user) -> tuple:
    """What a person's rules depend on besides their id and agency's id: their roles, and
    whether they have an agency at all."""
    return (bool(user.is_active), bool(user.is_superuser), bool(user.is_fund_manager),
            bool(user.is_hr_officer), user.agency_id is not None)


def person_as(user, pk: int, agency_id: int | None):
    person = copy.copy(user)
    person.pk = pk
    person.agency_id = agency_id
    return person


def person_values(user) -> tuple[int, ...]:
    """The values a person's rule takes: their id, and their agency's id when they have one."""
    return (user.pk,) if user.agency_id is None else (user.pk, user.agency_id)


def person_from(user, values):
    """The person a builder is given: `user` as the marks (or values) `values` say."""
    return person_as(user, values[0], values[1] if len(values) > 1 else None)


_NOTHING = object()


def compiled(key: tuple, build, values: tuple[int, ...]) -> tuple[str, list] | None:
    """`build(*values)`'s SQL and parameters (`build` answers a QuerySet or (sql, params)),
    the query built and compiled once per process and database vendor for `key`. None when
    the QuerySet is `.none()` (it asks nothing)."""
    found = _BUILT.get((connection.vendor, *key), _NOTHING)
    if found is _NOTHING:
        if len(_BUILT) >= _KEPT_MAX:  # keys that name a day grow by a few a day: start again
            _BUILT.clear()
        found = _build(build, len(values))
        _BUILT[(connection.vendor, *key)] = found
    if found is None:
        return None
    sql, params, where = found
    params = list(params)
    for position, n in where:
        params[position] = values[n]
    return sql, params


def _sql(made) -> tuple[str, tuple]:
    if isinstance(made, tuple):
        return made
    return made.query.sql_with_params()


def _build(build, count: int) -> tuple[str, list, list[tuple[int, int]]] | None:
    first = tuple(_FIRST - n for n in range(count))
    second = tuple(_SECOND - n for n in range(count))
    made = build(*first), build(*second)
    empty = [not isinstance(one, tuple) and one.query.is_empty() for one in made]
    if any(empty):
        if not all(empty):
            raise RuntimeError("compiled: whether the query asks anything depends on its values")
        return None
    (sql, params), (again, other) = (_sql(one) for one in made)
    if sql != again or len(params) != len(other):
        raise RuntimeError("compiled: the query's SQL depends on its values")
    marks = {mark: n for n, mark in enumerate(first)}
    where = []
    for position, (a, b) in enumerate(zip(params, other, strict=True)):
        if a == b:
            if a in marks:
                raise RuntimeError("compiled: a mark is not where its value goes")
            continue
        n = marks.get(a)
        if n is None or second[n] != b:
            raise RuntimeError("compiled: a parameter depends on a value, not only is it")
        where.append((position, n))
    return sql, list(params), where


def forget() -> None:
    """Forget every query built (tests that change how a rule is built)."""
    _BUILT.clear()
