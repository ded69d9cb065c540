"""Database functions an export needs so that each row is read in its one query.

`TextsJoined` joins the texts of a group with ";" (PostgreSQL `STRING_AGG`, SQLite
`GROUP_CONCAT`); used in a correlated subquery it replaces a per-chunk prefetch (e.g. a
proposal's partner agencies). The order of the parts is not guaranteed: sort them after
splitting (`texts_split`).
"""

from django.db.models import Aggregate, CharField

SEPARATOR = ";"


class TextsJoined(Aggregate):
    function = "GROUP_CONCAT"
    template = f"%(function)s(%(expressions)s, '{SEPARATOR}')"
    output_field = CharField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra)


def texts_split(joined: str | None) -> list[str]:
    """The parts of a `TextsJoined` value, sorted (an empty group is None)."""
    return sorted(part for part in (joined or "").split(SEPARATOR) if part)
