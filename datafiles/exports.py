"""Files out: the registry of CSV/XLSX exports and the one function that builds them.

Pages (`/data/export/...`), links on list pages and admin actions all go through
`export_dataset`, so an export never shows more than its viewer may see: rows come from
the same selectors as the pages (`proposals.resources.exportable_proposals`, the
conflict-of-interest rule), and only fund managers and administrators export at all (`may_move_files`).
"""

import tablib
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.module_loading import import_string
from import_export.widgets import NumberWidget

from .cells import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes
from .tables import TableImport

# kind → (label, resource path, {option: label}). Options are on/off switches passed to the
# resource by name; every resource also gets `viewer` and, when asked, `round` (a Round pk).
EXPORTS = {
    "agencies": ("Agencies", "people.resources.AgencyResource", {}),
    "civil-servants": ("Civil servants", "people.resources.CivilServantResource", {}),
    "contributions": ("Contributions", "fund.resources.ContributionResource", {}),
    "proposals": ("Proposals", "proposals.resources.VisibleProposalResource", {}),
    "reviews": ("Reviews", "reviews.resources.ReviewResource",
                {"without_reviewer_names": "Leave out reviewers' names and agencies"}),
    "awards": ("Awards and tranches (one row per tranche)", "fund.resources.AwardResource", {}),
    "learnings": ("Learnings", "rewards.resources.LearningResource", {}),
}
EXPORT_FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
# Every export, including those that are imported again, writes text that a spreadsheet would
# run as a formula as text (datafiles/cells.py); the importer undoes exactly that, so an export
# still imports back unchanged.


def may_move_files(user) -> bool:
    """Imports and exports: fund managers and administrators."""
    return TableImport.may_import(user)


def export_dataset(kind: str, *, viewer, options: dict | None = None, round_id: int | None = None,
                   selected: QuerySet | None = None) -> tablib.Dataset:
    """The rows of one export for `viewer`; `selected` narrows them to admin-selected objects."""
    if not may_move_files(viewer):
        raise PermissionDenied("Only fund managers and administrators may export files.")
    label, path, known = EXPORTS[kind]
    chosen = {name: bool((options or {}).get(name)) for name in known}
    extra = {"round": round_id} if round_id else {}
    resource = import_string(path)(viewer=viewer, **chosen, **extra)
    _numbers_as_numbers(resource)
    queryset = resource.get_queryset()
    if selected is not None:
        lookup = getattr(resource, "selected_lookup", "pk__in")
        queryset = queryset.filter(**{lookup: selected.values("pk")})
    return resource.export(queryset=queryset)


def export_body(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The file: text a spreadsheet would run stays text (datafiles/cells.py)."""
    if fmt == "csv":
        return csv_bytes(dataset.headers, dataset)
    return xlsx_bytes(dataset.headers, dataset, title=dataset.title or "Export")


def _numbers_as_numbers(resource) -> None:
    """Number columns keep their numbers (an amount is a number cell in XLSX, and a negative
    one is never taken for a formula); django-import-export would render them as text."""
    for field in resource.get_export_fields():
        if isinstance(field.widget, NumberWidget):
            field.widget.coerce_to_string = False
