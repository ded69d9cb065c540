"""Files in: reading a CSV or XLSX table and loading it once only.

An import reads the whole file, checks every row, and then either applies all of it
in one transaction or nothing (unless the user asks to skip bad rows). Existing rows
are found by their key in a few queries for the whole file, compared field by field,
and only new or changed rows are written, in bulk; re-importing the same file
therefore writes nothing and says so.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2.
Text comes back as the exports wrote it (datafiles/cells.py): the apostrophe an export put
before a text that a spreadsheet would run as a formula is removed, exactly that one.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField
from django.utils.translation import gettext, gettext_lazy

from workflow.bounds import visible_text_problem

from .cells import imported_text, imported_xlsx_text

MAX_IMPORT_BYTES = 20 * 1024 * 1024
ONLY_MANAGERS_IMPORT = gettext_lazy("Only fund managers and administrators may import files.")
ONLY_MANAGERS_EXPORT = gettext_lazy("Only fund managers and administrators may export files.")
FORMATS = (".csv", ".xlsx")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return gettext("Row %(row)s, %(field)s: %(message)s") % {
            "row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    """What an import found and did; `applied` is False for a dry run or a refused file."""

    kind: str
    dry_run: bool
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    applied: bool = False
    errors: list[RowError] = field(default_factory=list)
    # The keys of the rows this import created (empty for a dry run): e.g. the employee IDs
    # of new people, whom the fund manager may then invite.
    created: list = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def nothing_to_import(self) -> bool:
        """Every row has errors: skipping the bad ones would leave nothing."""
        return bool(self.errors) and len(self.bad_rows) >= self.rows

    def summary(self) -> str:
        counts = gettext("%(new)d new, %(updated)d updated, %(unchanged)d unchanged") % {
            "new": self.new, "updated": self.updated, "unchanged": self.unchanged}
        if self.skipped:
            counts += ", " + gettext("%(skipped)d bad rows skipped") % {"skipped": self.skipped}
        if self.errors and not self.skipped:
            return gettext(
                "Nothing was imported: %(bad)d of %(rows)d rows have errors. "
                "Correct them, or choose to skip bad rows."
            ) % {"bad": len(self.bad_rows), "rows": self.rows}
        if self.nothing_to_import:
            return gettext("Nothing was imported: all %(rows)d rows have errors.") % {
                "rows": self.rows}
        if self.dry_run:
            return gettext("Dry run of %(rows)d rows, nothing saved: %(counts)s.") % {
                "rows": self.rows, "counts": counts}
        if not (self.new or self.updated):
            return gettext("Nothing changed: all %(unchanged)d imported rows were already up to "
                           "date.") % {"unchanged": self.unchanged}
        return gettext("Imported %(rows)d rows: %(counts)s.") % {"rows": self.rows,
                                                                  "counts": counts}


def _refuse(message: str):
    raise ValidationError({"file": message})


def read_table(data: bytes, name: str, headers: Iterable[str]) -> list[tuple[int, dict]]:
    """Parse a CSV or XLSX file into (row number, {header: text}) pairs, checking the header."""
    headers = list(headers)
    ext = Path(name or "").suffix.lower()
    if ext not in FORMATS:
        _refuse(gettext("“%(name)s” is not a CSV or XLSX file.") % {"name": name})
    if len(data) > MAX_IMPORT_BYTES:
        _refuse(gettext("“%(name)s” is %(size).1f MB; the limit is 20 MB.") % {
            "name": name, "size": len(data) / 1048576})
    if not data.strip():
        _refuse(gettext("“%(name)s” is empty.") % {"name": name})
    table = _read_xlsx(data, name) if ext == ".xlsx" else _read_csv(data, name)
    if not table:
        _refuse(gettext("“%(name)s” is empty.") % {"name": name})
    found = [str(h or "").strip() for h in table[0]]
    while found and not found[-1]:
        found.pop()
    if sorted(found) != sorted(headers) or len(set(found)) != len(found):
        missing = [h for h in headers if h not in found]
        unknown = [h for h in found if h not in headers]
        details = []
        if missing:
            details.append(gettext("missing %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            details.append(gettext("unexpected %(columns)s") % {
                "columns": ", ".join(h or gettext("(blank)") for h in unknown)})
        if not details:
            details.append(gettext("a column appears twice"))
        _refuse(gettext("Wrong header (%(details)s). Expected exactly: %(headers)s.") % {
            "details": "; ".join(details), "headers": ",".join(headers)})
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = [_text(v) for v in values]
        if not any(cells):
            continue  # blank lines are not rows
        cells += [""] * (len(found) - len(cells))
        rows.append((number, dict(zip(found, cells, strict=False))))
    if not rows:
        _refuse(gettext("“%(name)s” has a header but no rows.") % {"name": name})
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date) and hasattr(value, "hour"):
        return value.date().isoformat()  # an XLSX date cell
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return imported_text(value.strip())
    return str(value).strip()


def _too_many_rows(name: str):
    from workflow.bounds import IMPORT_ROWS_MAX

    _refuse(gettext("“%(name)s” has more than %(limit)s rows; split it into files of at "
                    "most %(limit)s rows.") % {"name": name, "limit": f"{IMPORT_ROWS_MAX:,}"})


def _at_most(rows, name: str) -> list:
    """The rows (header included) of a table, stopping as soon as there are too many: a small
    compressed XLSX may hold hundreds of thousands of rows, and nothing past the limit is read."""
    from workflow.bounds import IMPORT_ROWS_MAX

    table = []
    for row in rows:
        table.append(row)
        if len(table) > IMPORT_ROWS_MAX + 1:
            _too_many_rows(name)
    return table


def _read_csv(data: bytes, name: str) -> list[list[str]]:
    if b"\x00" in data[:8192]:
        _refuse(gettext("“%(name)s” is not a text CSV file.") % {"name": name})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(gettext("“%(name)s” is not UTF-8 text. Save it as “CSV UTF-8”.") % {"name": name})
    try:
        return _at_most(csv.reader(io.StringIO(text, newline="")), name)
    except csv.Error as exc:
        _refuse(gettext("“%(name)s” could not be read as CSV: %(error)s.") % {
            "name": name, "error": exc})


def _read_xlsx(data: bytes, name: str) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        _refuse(gettext("“%(name)s” is not a readable XLSX workbook.") % {"name": name})
    try:
        sheet = workbook.worksheets[0]
        return _at_most(([imported_xlsx_text(v) if isinstance(v, str) else v for v in row]
                         for row in sheet.iter_rows(values_only=True)), name)
    finally:
        workbook.close()


class RowProblems(Exception):
    """Raised by `clean_row` with {field: message} for one row."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(problems)


class TableImport:
    """One kind of file. Subclasses say how a row is cleaned, keyed, compared and written."""

    kind = ""
    headers: tuple[str, ...] = ()
    key_field = ""
    compared: tuple[str, ...] = ()  # model fields whose change makes a row "updated"
    updates = True  # False: existing rows are never changed (e.g. contributions)

    def __init__(self, *, actor=None, system: bool = False):
        if not system and not self.may_import(actor):
            raise PermissionDenied(ONLY_MANAGERS_IMPORT)
        self.actor = actor

    @staticmethod
    def may_import(actor) -> bool:
        return bool(
            actor and actor.is_authenticated and (actor.is_fund_manager or actor.is_superuser)
        )

    # --- to implement -------------------------------------------------------------
    def prepare(self, rows: list[tuple[int, dict]]) -> None:
        """Load what cleaning needs (e.g. agencies by code) in a few queries."""

    def clean_row(self, row: dict) -> dict:
        raise NotImplementedError

    def key_of(self, values: dict):
        return values[self.key_field]

    def existing(self, keys: list) -> dict:
        raise NotImplementedError

    def check_file(self, cleaned: list[tuple[int, dict]], existing: dict) -> list[RowError]:
        """Checks across rows and against the database (e.g. a username taken)."""
        return []

    def build(self, values: dict):
        raise NotImplementedError

    def write(self, new: list, changed: list, fields: set[str]) -> None:
        model = type(new[0] if new else changed[0])
        if new:
            model.objects.bulk_create(new, batch_size=1000)
        if changed:
            model.objects.bulk_update(changed, sorted(fields), batch_size=500)

    # --- the run ------------------------------------------------------------------
    def run(self, data: bytes, name: str, *, dry_run: bool = False,
            skip_bad_rows: bool = False) -> ImportReport:
        report = ImportReport(kind=self.kind, dry_run=dry_run)
        rows = read_table(data, name, self.headers)
        report.rows = len(rows)
        self.prepare(rows)

        cleaned, first_seen = [], {}
        for number, row in rows:
            try:
                values = self.clean_row(row)
            except RowProblems as problems:
                report.errors += [RowError(number, f, m) for f, m in problems.problems.items()]
                continue
            key = self.key_of(values)
            if key in first_seen:
                shown = key if not isinstance(key, tuple) else ", ".join(map(str, key))
                report.errors.append(RowError(
                    number, self.key_field,
                    gettext("“%(key)s” appears again (first on row %(first)s).") % {
                        "key": shown, "first": first_seen[key]},
                ))
                continue
            first_seen[key] = number
            cleaned.append((number, values))

        existing = self.existing([self.key_of(v) for _, v in cleaned])
        report.errors += self.check_file(cleaned, existing)
        bad = set(report.bad_rows)
        if bad and not skip_bad_rows:
            return report
        report.skipped = len(bad)

        new, new_keys, changed, fields = [], [], [], set()
        for number, values in cleaned:
            if number in bad:
                continue
            current = existing.get(self.key_of(values))
            if current is None:
                new.append(self.build(values))
                new_keys.append(self.key_of(values))
                continue
            differing = [f for f in self.compared if getattr(current, f) != values[f]]
            if not differing or not self.updates:
                report.unchanged += 1
                continue
            for f in differing:
                setattr(current, f, values[f])
            fields.update(differing)
            changed.append(current)
        report.new, report.updated = len(new), len(changed)
        if dry_run or not (new or changed):
            report.applied = not dry_run
            return report
        with transaction.atomic():
            self.write(new, changed, fields)
        report.applied = True
        report.created = new_keys
        return report


def max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def check_length(problems: dict, model, name: str, value: str, label: str | None = None) -> None:
    """Note a cell longer than its field allows, or a title or name that is not visible text
    (workflow/bounds.py): the importer writes in bulk, past the model's own checks."""
    limit = max_length(model, name)
    if limit and len(value) > limit:
        problems[name] = gettext("%(label)s is %(length)s characters; at most %(limit)s.") % {
            "label": label or name, "length": len(value), "limit": limit}
        return
    if isinstance(model._meta.get_field(name), CharField):
        problem = visible_text_problem(value)
        if problem:
            problems[name] = gettext("%(label)s: %(problem)s") % {
                "label": label or name, "problem": problem[1]}
