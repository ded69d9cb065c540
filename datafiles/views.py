"""Files in and out for fund managers: import with a dry run, then confirm; exports.

The uploaded file is kept privately between the dry run and the confirmation (never
under a public URL) and removed once applied or replaced.
"""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from people.invitations import remember_imported_people
from workflow.ids import parse_id

from .exports import EXPORT_FORMATS, EXPORTS, export_body, export_dataset, may_move_files
from .kinds import IMPORTS, all_headers, importer_class
from .tables import FORMATS, MAX_IMPORT_BYTES, ImportReport

# The export registry EXPORTS (kind → label, resource path, options) lives in exports.py,
# beside `export_dataset`, which every export (pages, list links, admin actions) goes through.


def _require(user) -> None:
    if not may_move_files(user):
        raise PermissionDenied("Only fund managers and administrators may import or export files.")


class ImportFileForm(forms.Form):
    """The file and the choice to skip bad rows (the admin knows the kind from its model)."""

    file = forms.FileField(label="CSV or XLSX file",
                           help_text="At most 20 MB, with the header row shown below.")
    skip_bad_rows = forms.BooleanField(
        label="Import the good rows and skip the bad ones", required=False,
        help_text="Without this, a file with any bad row imports nothing.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in FORMATS:
            raise ValidationError(f"“{upload.name}” is not a CSV or XLSX file.")
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(f"“{upload.name}” is {upload.size / 1048576:.1f} MB; the limit is 20 MB.")
        return upload


class ImportForm(ImportFileForm):
    kind = forms.ChoiceField(label="What the file holds",
                             choices=[(k, label) for k, (label, _) in IMPORTS.items()])
    field_order = ["kind", "file", "skip_bad_rows"]


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "private-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the two steps of an import, shared by the page and the admin -------------------------
class NothingWaiting(Exception):
    """The confirmed import is not (or no longer) waiting in this session."""


NOTHING_WAITING = ("That import is no longer waiting, or its file could not be read again; "
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
    from jobs.services import is_large_import, start_import_job

    if not is_large_import(upload):
        return None
    _discard_pending(request)
    job = start_import_job(actor=request.user, kind=kind, upload=upload,
                           skip_bad_rows=skip_bad_rows)
    messages.info(request, f"“{upload.name}” is large, so it is checked in the background. "
                           "This page shows the dry run when it is ready.")
    return redirect(job)


def file_errors(exc: ValidationError) -> list[str]:
    return exc.message_dict.get("file", exc.messages) if hasattr(exc, "error_dict") else exc.messages


# --- pages ------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    """Step 1: choose the file; it is checked in a dry run and nothing is saved yet."""
    _require(request.user)
    form = ImportForm(request.POST or None, request.FILES or None,
                      initial={"kind": request.GET.get("kind")})
    report = pending = None
    if request.method == "POST" and form.is_valid():
        handed_over = hand_large_file_to_a_job(
            request, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
            skip_bad_rows=form.cleaned_data["skip_bad_rows"],
        )
        if handed_over:
            return handed_over
        try:
            report, pending = check_import(
                request, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            )
        except ValidationError as exc:
            form.add_error("file", file_errors(exc))
    return render(request, "data/import.html", {
        "form": form, "report": report, "headers": all_headers(), "pending": pending,
    })


@login_required
@require_POST
def import_confirm(request):
    """Step 2: apply the file checked in the dry run (all rows are checked again)."""
    _require(request.user)
    kind = (request.session.get("pending_import") or {}).get("kind")
    try:
        report = confirm_import(request, token=request.POST.get("token", ""))
    except NothingWaiting:
        messages.error(request, NOTHING_WAITING)
        return redirect("data:import")
    (messages.success if report.applied else messages.error)(request, report.summary())
    # New people have no usable password: offer to invite exactly these (people.views).
    invite = report.created if kind == "civil-servants" else []
    remember_imported_people(request, invite)
    return render(request, "data/import.html", {
        "form": ImportForm(initial={"kind": kind}), "report": report,
        "headers": all_headers(), "pending": None, "confirmed": True, "invite_count": len(invite),
    })


@login_required
def export_list(request):
    _require(request.user)
    return render(request, "data/exports.html", {
        "exports": [(k, label, options) for k, (label, _, options) in EXPORTS.items()],
        "formats": list(EXPORT_FORMATS),
    })


def export_response(kind: str, fmt: str, *, viewer, options: dict | None = None,
                    round_id: int | None = None, selected=None) -> HttpResponse:
    """The download of one export (see `exports.export_dataset` for what it may hold)."""
    dataset = export_dataset(kind, viewer=viewer, options=options, round_id=round_id,
                             selected=selected)
    response = HttpResponse(export_body(dataset, fmt), content_type=EXPORT_FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response


@login_required
def export_file(request, kind: str, fmt: str):
    """A CSV or XLSX of what the viewer may see of that kind (options such as leaving out
    reviewer names; `round` narrows proposals, reviews and awards to one round)."""
    _require(request.user)
    if kind not in EXPORTS or fmt not in EXPORT_FORMATS:
        raise Http404("No such export.")
    options = {name: request.GET.get(name) in ("1", "on", "true") for name in EXPORTS[kind][2]}
    round_id = parse_id(request.GET.get("round"))
    if request.GET.get("round") and round_id is None:
        # Exporting every round instead would hand over more than was asked for.
        return HttpResponseBadRequest("“round” must be the number of a round.",
                                      content_type="text/plain; charset=utf-8")
    return export_response(kind, fmt, viewer=request.user, options=options, round_id=round_id)


@login_required
def export_360giving(request, fmt: str):
    """Awards as 360Giving data, JSON or the standard's flattened CSV."""
    from fund import giving360
    from fund.giving360_api import awards_visible_to

    _require(request.user)
    awards = awards_visible_to(request.user)
    if fmt == "json":
        body, content_type = giving360.package_json(awards), "application/json; charset=utf-8"
    elif fmt == "csv":
        body, content_type = giving360.package_csv(awards), EXPORT_FORMATS["csv"]
    else:
        raise Http404("No such export.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="360giving-{timezone.localdate()}.{fmt}"'
    return response
