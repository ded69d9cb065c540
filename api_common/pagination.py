"""How every API list is paged (settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]).

Two ways, one answer shape (`count`, `next`, `previous`, `results`, as API.md says):

- By page number: `?page=3`, `?page=last`; `?page_size=` up to settings.API_PAGE_SIZE_MAX
  (a larger one is cut to it), PAGE_SIZE rows when not given. A page past the last is 404;
  a `page_size` that is not a whole number of at least 1 is 400.
- By keyset, on the long lists (a view that names `cursor_ordering`, an indexed ordering
  ending with a unique field, e.g. `("-updated_at", "-id")`): `?cursor=` (empty) starts at
  the first row; each answer's `next` and `previous` carry the cursor of the page after and
  before. A page is read from an index where the previous one stopped, so page 1,000 costs
  what page 1 costs, and rows added or changed while a client walks the list never make it
  see a row twice or skip one that stayed in place. `count` is null on these pages (counting
  would read the whole list). A cursor this list did not give is 400.

`count` on page-number pages (`list_count`): the database counts at most
settings.API_COUNT_EXACT_MAX + 1 rows; a list that short gets its exact count, read now. A
longer list (a fund manager's ~100k proposals) is counted in full at most once every
settings.API_COUNT_CACHE_SECONDS for the same query (the same person, filters and list: the
key is the query's SQL, which names the person's own paths), so a client walking its pages
does not have the whole list counted for each page; that count may lag a change by up to
that long (a person who just lost sight of some rows may see them counted for that long,
never shown: a count tells nothing they were not shown before). The rows, `next` and
`previous` never depend on it: a page reads one row more than
it shows to know whether another follows, and a page number past the last row is 404.
"""

import base64
import binascii
import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

BAD_PAGE_SIZE = gettext_lazy(
    "page_size must be a whole number from 1 to %(max)d (larger ones are cut to %(max)d).")
BAD_CURSOR = gettext_lazy(
    "This cursor is not one this list gave: follow the list's `next` or `previous` "
    "links, or start again with an empty ?cursor=.")


def page_size_max() -> int:
    return int(getattr(settings, "API_PAGE_SIZE_MAX", 200))


def fetch_rows(queryset, start: int, stop: int) -> list:
    """Rows `start`..`stop` of `queryset`, in two steps: the page's ids first (the filter and
    the ordering alone, which the database answers from its indexes), then those rows with
    every join, annotation and prefetch the list shows. The wide query never runs over every
    visible row, whatever the planner guesses of how many there are."""
    if not _rows_by_id_keep_meaning(queryset):
        return list(queryset[start:stop])
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    # The rows by those ids alone: who may see them was the first step's filter (compiling and
    # planning a visibility filter again, e.g. a person's UNION of paths, is most of the cost).
    rows = queryset.order_by()
    rows.query.where = WhereNode()
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def _rows_by_id_keep_meaning(queryset) -> bool:
    """Whether `queryset`'s rows read again by id alone (its filter dropped) are the same rows:
    not when the query is distinct, combined or sliced, nor when it aggregates or groups (an
    aggregate over a filtered join, e.g. `Count("assignments")` after a filter on
    assignments, would count rows the dropped filter left out)."""
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    if query.distinct or query.combinator or query.is_sliced or query.group_by is not None:
        return False
    return not any(getattr(annotation, "contains_aggregate", False)
                   for annotation in query.annotations.values())


def count_exact_max() -> int:
    return int(getattr(settings, "API_COUNT_EXACT_MAX", 1000))


def count_cache_seconds() -> int:
    return int(getattr(settings, "API_COUNT_CACHE_SECONDS", 60))


def list_count(queryset, key: str | None = None) -> int:
    """How many rows `queryset` has: read now when at most API_COUNT_EXACT_MAX (the database
    stops counting one row past it), else the full count of the same list made at most
    API_COUNT_CACHE_SECONDS ago (see the module's docstring). `key` names the list (the
    person, the path and the filters: `count_key`); without it, the query's SQL does."""
    if not isinstance(queryset, QuerySet):
        return len(queryset)
    bound = count_exact_max()
    ids = queryset.order_by().values("pk")
    sql = params = None
    if key is None:
        sql, params = ids.query.sql_with_params()
    key = "api-count:" + hashlib.sha256(repr(
        (queryset.db, queryset.model._meta.label, key or (sql, params))).encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, int) and found > bound:  # a long list, counted a moment ago
        return found
    if sql is None:
        sql, params = ids.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:  # the SQL compiled once, for both
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {bound + 1}) AS visible", params)
        counted = cursor.fetchone()[0]
    if counted <= bound:
        return counted
    total = ids.count()
    cache.set(key, total, count_cache_seconds())
    return total


# Query parameters that choose a page of a list, not which rows the list has.
PAGING_PARAMS = ("page", "page_size", "cursor", "format")


def count_key(request) -> str:
    """A list as one person asks for it: who, which path, which filters (whatever the page)."""
    user = getattr(request, "user", None)
    filters = sorted((name, tuple(values)) for name, values in request.query_params.lists()
                     if name not in PAGING_PARAMS)
    return repr((getattr(user, "pk", None), request.path, filters))


class RowsPage(DjangoPage):
    """A page that knows from its own rows whether another follows (`more`)."""

    def __init__(self, object_list, number, paginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more

    def next_page_number(self):
        return self.number + 1


class TwoStepPaginator(DjangoPaginator):
    count_key = None

    @cached_property
    def count(self):
        return list_count(self.object_list, self.count_key)

    def validate_number(self, number):
        """A whole number from 1; whether that page has rows is for `page` to find."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = fetch_rows(self.object_list, bottom, bottom + self.per_page + 1)
        more = len(rows) > self.per_page
        if not rows and number > 1:
            # Past the last row (a count read a moment ago may not know a row went away).
            raise EmptyPage("That page contains no results")
        return RowsPage(rows[:self.per_page], number, self, more)


class ApiPagination(PageNumberPagination):
    """Page numbers with an honoured `page_size`, and keyset paging where the view offers it."""

    django_paginator_class = TwoStepPaginator
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    # DRF fills it with str.format (its own is lazy too)
    invalid_page_message = gettext_lazy("There is no page “{page_number}” in this list: {message}.")

    @property
    def max_page_size(self) -> int:
        return page_size_max()

    # -- page size ---------------------------------------------------------------------------
    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [
                BAD_PAGE_SIZE % {"max": self.max_page_size}]})
        return min(size, self.max_page_size)

    # -- paging ------------------------------------------------------------------------------
    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset = None
        ordering = getattr(view, "cursor_ordering", None)
        if ordering and self.cursor_query_param in request.query_params:
            return self._paginate_keyset(queryset, request, tuple(ordering))
        self._refuse_page_beyond_any_list(request)
        key = count_key(request)

        def paginator(object_list, per_page):
            made = TwoStepPaginator(object_list, per_page)
            made.count_key = key
            return made

        self.django_paginator_class = paginator
        return super().paginate_queryset(queryset, request, view)

    def _refuse_page_beyond_any_list(self, request) -> None:
        """A page number whose first row lies past what a database can count (2^63 − 1 rows)
        is no page of this list: 404 with the usual message, before any query (its offset
        would overflow the database's integers: a 500)."""
        raw = str(request.query_params.get(self.page_query_param, "")).strip()
        if raw.isdigit() and len(raw) <= 30:
            number = int(raw)
        elif raw.isdigit():
            number = 2 ** 64
        else:
            return
        if (number - 1) * self.get_page_size(request) >= 2 ** 63 - 1 - self.max_page_size:
            raise NotFound(self.invalid_page_message.format(
                page_number=raw[:30], message=gettext("That page number is beyond any list.")))

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response({"count": None, "next": self.keyset["next"],
                         "previous": self.keyset["previous"], "results": data})

    def _paginate_keyset(self, queryset, request, ordering):
        size = self.get_page_size(request)
        fields = [name.lstrip("-") for name in ordering]
        descending = ordering[0].startswith("-")
        assert all(name.startswith("-") == descending for name in ordering), (
            "cursor_ordering: every field in one direction")
        position, backwards = self._decode(request.query_params.get(self.cursor_query_param),
                                           queryset.model, fields)
        reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)
        queryset = queryset.order_by(*(reverse if backwards else ordering))
        if position is not None:
            queryset = queryset.filter(_beyond(fields, position, descending != backwards))
        rows = fetch_rows(queryset, 0, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = (position is not None) if backwards else more
        has_previous = more if backwards else (position is not None)
        url = remove_query_param(request.build_absolute_uri(), self.page_query_param)

        def link(row_values, back):
            token = _encode(row_values, back)
            return replace_query_param(url, self.cursor_query_param, token)

        values = [[_plain(getattr(row, f)) for f in fields] for row in (rows[0], rows[-1])] \
            if rows else None
        self.keyset = {
            "next": (link(values[1], False) if values else None) if has_next else None,
            "previous": ((link(values[0], True) if values
                          else link([_plain(v) for v in position], True))
                         if has_previous else None),
        }
        return rows

    def _decode(self, raw, model, fields):
        if not raw:
            return None, False
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            values, backwards = data["v"], bool(data.get("b"))
            if not isinstance(values, list) or len(values) != len(fields) or any(
                    isinstance(value, str) and "\x00" in value for value in values):
                raise ValueError
            position = [model._meta.get_field(name).to_python(value)
                        for name, value in zip(fields, values, strict=True)]
            if any(value is None or (isinstance(value, int) and not -2**63 <= value < 2**63)
                   # a date alone, or a time without its zone, is no position we gave
                   or (isinstance(value, datetime) and timezone.is_naive(value))
                   for value in position):
                raise ValueError
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error,
                DjangoValidationError, OverflowError):
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]}) from None
        return position, backwards

    # -- schema (drf-spectacular) ------------------------------------------------------------
    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"] = {
            "type": "integer", "nullable": True, "example": 123,
            "description": (
                f"How many rows the list has: exact while at most {count_exact_max()}; for a "
                f"longer list, the full count made at most {count_cache_seconds()} s ago for "
                "the same person, path and filters (the rows, `next` and `previous` are "
                "always current). Null on keyset pages (`?cursor=`)."),
        }
        answer["properties"]["next"]["description"] = "The following page, or null."
        answer["properties"]["previous"]["description"] = "The page before, or null."
        return answer

    def get_schema_operation_parameters(self, view):
        maximum = self.max_page_size
        parameters = [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": ("A page number (from 1), or `last`. A page past the last row "
                             "is 404."),
             "schema": {"type": "integer"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": (f"Rows per page: {self.page_size} when not given, at most "
                             f"{maximum} (a larger number is cut to {maximum})."),
             "schema": {"type": "integer", "minimum": 1}},
        ]
        if getattr(view, "cursor_ordering", None):
            parameters.append({
                "name": self.cursor_query_param, "required": False, "in": "query",
                "description": (
                    "Keyset paging for walking a long list: send it empty to start, then "
                    "follow `next` (or `previous`), which carry the cursor. Stable while rows "
                    "are added; each page costs the same however deep; `count` is null. "
                    "`page` is ignored when a cursor is given."),
                "schema": {"type": "string"},
            })
        return parameters


def _beyond(fields, position, descending: bool) -> Q:
    """Rows after `position` in the ordering: lexicographic on the fields, with the first
    field's bound (`<=`/`>=`) stated on its own so the database reads it from the index."""
    strict, loose = ("lt", "lte") if descending else ("gt", "gte")
    after = Q()
    for i, name in enumerate(fields):
        step = Q(**{f"{fields[j]}": position[j] for j in range(i)}) & Q(
            **{f"{name}__{strict}": position[i]})
        after |= step
    return Q(**{f"{fields[0]}__{loose}": position[0]}) & after


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _encode(values, backwards: bool) -> str:
    data = {"v": values}
    if backwards:
        data["b"] = 1
    raw = json.dumps(data, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
