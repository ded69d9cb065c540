"""Files out: the registry of CSV/XLSX exports and the one function that builds them.

Pages (`/data/export/...`), links on list pages and admin actions all go through
`export_dataset`, so an export never shows more than its viewer may see: rows come from
the same selectors as the pages (`proposals.resources.exportable_proposals`, the
conflict-of-interest rule), and only fund managers and administrators export at all (`may_move_files`).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from import_export.widgets import NumberWidget

from .cells import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_bytes,
    csv_chunks,
    xlsx_bytes,
    xlsx_write,
)
from .tables import ONLY_MANAGERS_EXPORT, TableImport

# kind → (label, resource path, {option: label}). Options are on/off switches passed to the
# resource by name; every resource also gets `viewer` and, when asked, `round` (a Round pk).
EXPORTS = {
    "agencies": (_("Agencies"), "people.resources.AgencyResource", {}),
    "civil-servants": (_("Civil servants"), "people.resources.CivilServantResource", {}),
    "contributions": (_("Contributions"), "fund.resources.ContributionResource", {}),
    "proposals": (_("Proposals"), "proposals.resources.VisibleProposalResource", {}),
    "reviews": (_("Reviews"), "reviews.resources.ReviewResource",
                {"without_reviewer_names": _("Leave out reviewers' names and agencies")}),
    "awards": (_("Awards and tranches (one row per tranche)"), "fund.resources.AwardResource",
               {}),
    "learnings": (_("Learnings"), "rewards.resources.LearningResource", {}),
}
EXPORT_FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
# Every export, including those that are imported again, writes text that a spreadsheet would
# run as a formula as text (datafiles/cells.py); the importer undoes exactly that, so an export
# still imports back unchanged.


def may_move_files(user) -> bool:
    """Imports and exports: fund managers and administrators."""
    return TableImport.may_import(user)


# Rows are read with one query per kind (no OFFSET pages: a server-side cursor on
# PostgreSQL, fetched this many at a time; a prefetch, where a resource still has one, runs
# once per chunk). Exports above EXPORT_INLINE_MAX_ROWS rows run as a background job.
# A chunk's rows (each with what it joins) are what the export holds in memory: at 100k
# proposals, the awards CSV grew a process by 31 MiB with 2,000 rows a chunk, by 8 MiB with
# 500 (proposals: 24 and 5 MiB), for the same queries.
EXPORT_CHUNK_ROWS = 500
EXPORT_INLINE_MAX_ROWS = 5000


def inline_max_rows() -> int:
    """Above this many rows an export is made by a background job, not in the request."""
    return int(getattr(settings, "EXPORT_INLINE_MAX_ROWS", EXPORT_INLINE_MAX_ROWS))


@dataclass
class ExportTable:
    """One export for one viewer, not yet read: its headers, and its rows as they stream."""

    kind: str
    headers: list[str]
    queryset: QuerySet
    resource: object
    title: str = "Export"

    def rows(self) -> Iterator[list]:
        """The rows, read in chunks from one query; each row as the resource renders it."""
        fields = self.resource.get_export_fields()
        export_field = self.resource.export_field
        for obj in self.queryset.iterator(chunk_size=EXPORT_CHUNK_ROWS):
            yield [export_field(field, obj) for field in fields]

    def more_rows_than(self, limit: int) -> bool:
        """Whether there are more than `limit` rows (reads at most `limit + 1` ids)."""
        ids = self.queryset.order_by().values_list("pk", flat=True)[: limit + 1]
        return len(ids) > limit


def export_table(kind: str, *, viewer, options: dict | None = None, round_id: int | None = None,
                 selected=None) -> ExportTable:
    """The export `kind` for `viewer`; `selected` (a queryset or a list of primary keys)
    narrows it to admin-selected objects."""
    if not may_move_files(viewer):
        raise PermissionDenied(ONLY_MANAGERS_EXPORT)
    label, path, known = EXPORTS[kind]
    chosen = {name: bool((options or {}).get(name)) for name in known}
    extra = {"round": round_id} if round_id else {}
    resource = import_string(path)(viewer=viewer, **chosen, **extra)
    _numbers_as_numbers(resource)
    queryset = resource.get_queryset()
    if selected is not None:
        lookup = getattr(resource, "selected_lookup", "pk__in")
        ids = selected.values("pk") if isinstance(selected, QuerySet) else list(selected)
        queryset = queryset.filter(**{lookup: ids})
    queryset = resource.filter_export(queryset)
    resource.before_export(queryset)  # e.g. the reviews' criteria columns
    if hasattr(resource, "export_queryset"):  # e.g. the reviews' scores as subqueries
        queryset = resource.export_queryset(queryset)
    return ExportTable(kind=kind, headers=resource.get_export_headers(), queryset=queryset,
                       resource=resource)


def export_dataset(kind: str, *, viewer, options: dict | None = None, round_id: int | None = None,
                   selected: QuerySet | None = None) -> tablib.Dataset:
    """The rows of one export for `viewer`, in memory (for small sets and tests; files are
    streamed from `export_table`)."""
    table = export_table(kind, viewer=viewer, options=options, round_id=round_id,
                         selected=selected)
    dataset = tablib.Dataset(headers=table.headers)
    for row in table.rows():
        dataset.append(row)
    return dataset


def export_body(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The file: text a spreadsheet would run stays text (datafiles/cells.py)."""
    if fmt == "csv":
        return csv_bytes(dataset.headers, dataset)
    return xlsx_bytes(dataset.headers, dataset, title=dataset.title or "Export")


def write_export(table: ExportTable, fmt: str, target) -> None:
    """Write the file to `target` (a binary file) as the rows arrive: constant memory."""
    if fmt == "csv":
        for chunk in csv_chunks(table.headers, table.rows()):
            target.write(chunk)
    else:
        xlsx_write(table.headers, table.rows(), target, title=table.title)


def _numbers_as_numbers(resource) -> None:
    """Number columns keep their numbers (an amount is a number cell in XLSX, and a negative
    one is never taken for a formula); django-import-export would render them as text."""
    for field in resource.get_export_fields():
        if isinstance(field.widget, NumberWidget):
            field.widget.coerce_to_string = False
