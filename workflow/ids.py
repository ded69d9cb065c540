"""Bounded input for ids (DOMAIN.md, Integrity rules): an id in a URL or a query string is a
whole number from 1 to 2**63 - 1 (the range of SQLite's and PostgreSQL's 64-bit integers),
or it is no id at all. Never a 500, on SQLite and PostgreSQL alike.

- `parse_id` reads an id from a query string or a form value; every page and export view
  uses it for the ids of its filters (anything else names nothing: the filter is left out,
  or the export refuses the request).
- `IdOverflowMiddleware` is the net under path ids and everything else: Django's lookups on
  a primary key already find nothing for a number beyond the database's integers, but a
  lookup through a foreign key hands it to SQLite, which raises OverflowError. That
  answers 404 (No such page), as the API does (api_common.errors.exception_handler).
"""

from django.http import Http404
from django.utils.translation import gettext

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value) -> int | None:
    """The id written in `value` (`"42"`, `" 42 "`), or None when it is not one: empty, not
    plain ASCII digits (`-1`, `1.5`, `abc`, `４２`), zero, or beyond 2**63 - 1."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > _MAX_DIGITS:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _overflowed(exception: BaseException) -> bool:
    """An integer too large for the database (sqlite3: "Python int too large to convert to
    SQLite INTEGER"), not any arithmetic overflow."""
    return isinstance(exception, OverflowError) and "SQLite INTEGER" in str(exception)


class IdOverflowMiddleware:
    """A number beyond the database's integers names nothing: 404, never 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _overflowed(exception):
            raise Http404(gettext("No such page.")) from exception
        return None
