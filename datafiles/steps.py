"""The two steps of an import (a dry run, then the confirmation) and the download of an
export, shared by the /data/ pages (portal/data_views.py) and the admin (admin_mixins.py).

The uploaded file is kept privately between the dry run and the confirmation (never
under a public URL) and removed once applied or replaced. A file over the jobs' threshold is
handed to a background job: the jobs service is named by its dotted path (`LARGE_IMPORTS`),
as the import and export registries name each app's rows and resources (kinds.py,
exports.py), since the ground floor may not import the jobs above it.
"""

import tempfile
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_lazy

from .cells import csv_chunks
from .exports import EXPORT_FORMATS, EXPORTS, export_table, inline_max_rows, write_export
from .kinds import IMPORTS, importer_class
from .tables import FORMATS, MAX_IMPORT_BYTES, ImportReport

# The export registry EXPORTS (kind → label, resource path, options) lives in exports.py,
# beside `export_dataset`, which every export (pages, list links, admin actions) goes through.

# Where large files go: `is_large_import(upload)`, `start_import_job(...)` and, for a large
# export, `start_export_job(...)` (jobs/services.py).
LARGE_IMPORTS = "jobs.services"


class ImportFileForm(forms.Form):
    """The file and the choice to skip bad rows (the admin knows the kind from its model)."""

    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"),
                           help_text=gettext_lazy("At most 20 MB, with the header row shown below."))
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Import the good rows and skip the bad ones"), required=False,
        help_text=gettext_lazy("Without this, a file with any bad row imports nothing."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in FORMATS:
            raise ValidationError(gettext("“%(name)s” is not a CSV or XLSX file.") % {
                "name": upload.name})
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(gettext("“%(name)s” is %(size).1f MB; the limit is 20 MB.") % {
                "name": upload.name, "size": upload.size / 1048576})
        return upload


class ImportForm(ImportFileForm):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"),
                             choices=[(k, label) for k, (label, _) in IMPORTS.items()])
    field_order = ["kind", "file", "skip_bad_rows"]


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "private-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the two steps of an import, shared by the page and the admin -------------------------
class NothingWaiting(Exception):
    """The confirmed import is not (or no longer) waiting in this session."""


NOTHING_WAITING = gettext_lazy(
    "That import is no longer waiting, or its file could not be read again; "
    "choose the file again.")


def check_import(request, *, kind: str, upload, skip_bad_rows: bool) -> tuple[ImportReport, dict | None]:
    """Step 1: a dry run of the whole file; nothing is saved.

    When the file may be applied (no bad rows, or bad rows to be skipped) it is kept privately
    and described in the session as the pending import, which is returned; otherwise None.
    Raises ValidationError({"file": ...}) for a file that cannot be read at all.
    """
    data = upload.read()
    importer = importer_class(kind)(actor=request.user)
    report = importer.run(data, upload.name, dry_run=True, skip_bad_rows=skip_bad_rows)
    _discard_pending(request)
    if report.errors and (not skip_bad_rows or report.nothing_to_import):
        return report, None
    token = uuid.uuid4().hex
    ext = Path(upload.name).suffix.lower()
    (_pending_dir() / f"{token}{ext}").write_bytes(data)
    request.session["pending_import"] = pending = {
        "token": token, "ext": ext, "kind": kind, "name": upload.name,
        "skip_bad_rows": skip_bad_rows,
    }
    return report, pending


def confirm_import(request, *, token: str, kind: str | None = None) -> ImportReport:
    """Step 2: apply the pending file (all rows are checked again by the same engine).

    `kind` (the admin's) must match the pending import's. Raises NothingWaiting when no such
    import waits or its file cannot be read again; the pending file is removed either way.
    """
    pending = request.session.get("pending_import")
    if not pending or not token or token != pending["token"] or kind not in (None, pending["kind"]):
        raise NothingWaiting
    path = _pending_dir() / f"{pending['token']}{pending['ext']}"
    importer = importer_class(pending["kind"])(actor=request.user)
    try:
        return importer.run(path.read_bytes(), pending["name"],
                            skip_bad_rows=pending["skip_bad_rows"])
    except (ValidationError, FileNotFoundError) as exc:
        raise NothingWaiting from exc
    finally:
        _discard_pending(request)


def _discard_pending(request) -> None:
    pending = request.session.pop("pending_import", None)
    if pending:
        (_pending_dir() / f"{pending['token']}{pending['ext']}").unlink(missing_ok=True)


def hand_large_file_to_a_job(request, *, kind: str, upload, skip_bad_rows: bool):
    """A file over the jobs' threshold is checked off the request: the dry run runs as a
    background job, and its page offers the report and the confirmation when ready. Returns
    the redirect to that page, or None for a file small enough to check right away."""
    is_large_import = import_string(f"{LARGE_IMPORTS}.is_large_import")
    start_import_job = import_string(f"{LARGE_IMPORTS}.start_import_job")
    if not is_large_import(upload):
        return None
    _discard_pending(request)
    job = start_import_job(actor=request.user, kind=kind, upload=upload,
                           skip_bad_rows=skip_bad_rows)
    messages.info(request, gettext("“%(name)s” is large, so it is checked in the background. "
                                   "This page shows the dry run when it is ready.") % {
                                       "name": upload.name})
    return redirect(job)


def file_errors(exc: ValidationError) -> list[str]:
    return exc.message_dict.get("file", exc.messages) if hasattr(exc, "error_dict") else exc.messages


def export_response(kind: str, fmt: str, *, viewer, options: dict | None = None,
                    round_id: int | None = None, selected=None, request=None) -> HttpResponse:
    """The download of one export (see `exports.export_table` for what it may hold).

    Streamed in constant memory (CSV as the rows are read, XLSX through a temporary file);
    an export of more than `EXPORT_INLINE_MAX_ROWS` rows is handed to a background job
    instead, and the answer is the redirect to its page, which offers the file when ready.
    """
    table = export_table(kind, viewer=viewer, options=options, round_id=round_id,
                         selected=selected)
    filename = f"{kind}-{timezone.localdate().isoformat()}.{fmt}"
    if table.more_rows_than(inline_max_rows()):
        params = {
            "export": kind, "format": fmt, "label": str(EXPORTS[kind][0]), "filename": filename,
            "options": {name: bool((options or {}).get(name)) for name in EXPORTS[kind][2]},
            "round": round_id,
            "selected": (list(selected.values_list("pk", flat=True))
                         if selected is not None else None),
        }
        return hand_export_to_a_job(request, viewer=viewer, params=params)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(table.headers, table.rows()),
                                         content_type=EXPORT_FORMATS[fmt])
    else:
        handle = tempfile.TemporaryFile()
        write_export(table, fmt, handle)
        handle.seek(0)
        response = FileResponse(handle, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def hand_export_to_a_job(request, *, viewer, params: dict):
    """Start the export job and answer with the redirect to its page."""
    start_export_job = import_string(f"{LARGE_IMPORTS}.start_export_job")
    job = start_export_job(actor=viewer, params=params)
    if request is not None:
        messages.info(request, gettext("This export is large, so it is made in the background. "
                                       "This page offers the file when it is ready."))
    return redirect(job)
