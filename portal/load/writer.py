"""Rows straight into the tables: ids handed out in advance, rows kept as tuples and written in
large batches, with no model instance, signal, service or notification per row.

On PostgreSQL a batch goes in with `COPY ... FROM STDIN` (psycopg); elsewhere (SQLite, for a
small data set) with one `executemany` per batch, each value prepared by its model field as
`bulk_create` would. Every id is given explicitly, so related rows are built before their
parents are written; `finish` moves each table's sequence past the ids used.
"""

from collections import Counter

from django.core.management.color import no_style
from django.db import connection
from django.db.models import NOT_PROVIDED, Max

# Rows kept per table before they are written (PostgreSQL streams a batch in one COPY).
BATCH_ROWS = 50_000


class Table:
    """One table's pending rows, each a tuple in the order of `fields` (model field names)."""

    def __init__(self, writer, model, fields):
        self.writer = writer
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.columns = [field.column for field in self.fields]
        missing = [
            f.name for f in model._meta.concrete_fields
            if f.name not in fields and not f.null and not f.has_default()
            and f.db_default is NOT_PROVIDED
        ]
        if missing:  # a programming error, caught the first time the table is declared
            raise ValueError(f"{model.__name__} rows need {', '.join(missing)}")
        self.rows = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        for start in range(0, len(rows), BATCH_ROWS):
            self.writer.write(self, rows[start:start + BATCH_ROWS])
        self.written += len(rows)


class Writer:
    """Hands out ids per model and writes declared tables in the order they were declared
    (parents first), so foreign keys hold at every flush."""

    def __init__(self):
        self.tables: list[Table] = []
        self._next: dict = {}
        self.postgres = connection.vendor == "postgresql"
        self._superuser = None

    def begin(self) -> None:
        """At the start of each writing transaction: on PostgreSQL, when the user may (a
        superuser), foreign keys are not checked row by row until it ends (the rows are
        consistent by construction; `SET LOCAL` lasts for this transaction only)."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            if self._superuser is None:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                row = cursor.fetchone()
                self._superuser = bool(row and row[0])
            if self._superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def table(self, model, fields) -> Table:
        table = Table(self, model, ["id", *fields])
        self.tables.append(table)
        return table

    def ids(self, model, count: int) -> range:
        """`count` fresh ids for `model`, after every id in its table or handed out so far."""
        start = self._next.get(model)
        if start is None:
            start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._next[model] = start + count
        return range(start, start + count)

    def new_id(self, model) -> int:
        return self.ids(model, 1)[0]

    def flush(self) -> None:
        for table in self.tables:
            table.flush()

    def write(self, table: Table, rows: list) -> None:
        name = connection.ops.quote_name(table.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            fields = table.fields
            prepared = [
                tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
                for row in rows
            ]
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", prepared)

    def finish(self) -> None:
        """Write what is left and move every table's id sequence past the ids used."""
        self.flush()
        models = list({t.model: None for t in self.tables})
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def counts(self) -> Counter:
        return Counter({t.model._meta.label: t.written for t in self.tables})
