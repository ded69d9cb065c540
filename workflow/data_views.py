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
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods, require_POST

from .datafiles import FORMATS, MAX_IMPORT_BYTES, TableImport

IMPORTS = {
    "agencies": ("Agencies", "people.imports.AgencyImport"),
    "civil-servants": ("Civil servants", "people.imports.CivilServantImport"),
    "contributions": ("Contributions", "fund.imports.ContributionImport"),
}

# kind → (label, resource path, {option: label}); apps add their exports here as they land.
EXPORTS = {
    "agencies": ("Agencies", "people.resources.AgencyResource", {}),
    "civil-servants": ("Civil servants", "people.resources.CivilServantResource", {}),
    "contributions": ("Contributions", "fund.resources.ContributionResource", {}),
    "proposals": ("Proposals", "proposals.resources.ProposalResource", {}),
}
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def may_move_files(user) -> bool:
    return TableImport.may_import(user)


def _require(user) -> None:
    if not may_move_files(user):
        raise PermissionDenied("Only fund managers and administrators may import or export files.")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds",
                             choices=[(k, label) for k, (label, _) in IMPORTS.items()])
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


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "private-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _headers():
    return {k: import_string(path).headers for k, (_, path) in IMPORTS.items()}


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    """Step 1: choose the file; it is checked in a dry run and nothing is saved yet."""
    _require(request.user)
    form = ImportForm(request.POST or None, request.FILES or None,
                      initial={"kind": request.GET.get("kind")})
    report = None
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        data = upload.read()
        importer = import_string(IMPORTS[kind][1])(actor=request.user)
        try:
            report = importer.run(data, upload.name, dry_run=True,
                                  skip_bad_rows=form.cleaned_data["skip_bad_rows"])
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            _discard_pending(request)
            if not report.errors or form.cleaned_data["skip_bad_rows"]:
                token = uuid.uuid4().hex
                ext = Path(upload.name).suffix.lower()
                (_pending_dir() / f"{token}{ext}").write_bytes(data)
                request.session["pending_import"] = {
                    "token": token, "ext": ext, "kind": kind, "name": upload.name,
                    "skip_bad_rows": form.cleaned_data["skip_bad_rows"],
                }
    return render(request, "data/import.html", {
        "form": form, "report": report, "headers": _headers(),
        "pending": request.session.get("pending_import") if report else None,
    })


def _discard_pending(request) -> None:
    pending = request.session.pop("pending_import", None)
    if pending:
        (_pending_dir() / f"{pending['token']}{pending['ext']}").unlink(missing_ok=True)


@login_required
@require_POST
def import_confirm(request):
    """Step 2: apply the file checked in the dry run (all rows are checked again)."""
    _require(request.user)
    pending = request.session.get("pending_import")
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, "That import is no longer waiting; choose the file again.")
        return redirect("data:import")
    path = _pending_dir() / f"{pending['token']}{pending['ext']}"
    importer = import_string(IMPORTS[pending["kind"]][1])(actor=request.user)
    try:
        report = importer.run(path.read_bytes(), pending["name"],
                              skip_bad_rows=pending["skip_bad_rows"])
    except (ValidationError, FileNotFoundError):
        _discard_pending(request)
        messages.error(request, "The file could not be read again; choose it again.")
        return redirect("data:import")
    _discard_pending(request)
    (messages.success if report.applied else messages.error)(request, report.summary())
    return render(request, "data/import.html", {
        "form": ImportForm(initial={"kind": pending["kind"]}), "report": report,
        "headers": _headers(), "pending": None, "confirmed": True,
    })


@login_required
def export_list(request):
    _require(request.user)
    return render(request, "data/exports.html", {
        "exports": [(k, label, options) for k, (label, _, options) in EXPORTS.items()],
        "formats": list(EXPORT_FORMATS),
    })


@login_required
def export_file(request, kind: str, fmt: str):
    """A CSV or XLSX of everything of that kind (options such as leaving out reviewer names)."""
    _require(request.user)
    if kind not in EXPORTS or fmt not in EXPORT_FORMATS:
        raise Http404("No such export.")
    label, path, options = EXPORTS[kind]
    chosen = {name: request.GET.get(name) in ("1", "on", "true") for name in options}
    resource = import_string(path)(**chosen)
    dataset = resource.export()
    body = dataset.csv.encode("utf-8-sig") if fmt == "csv" else dataset.export("xlsx")
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response


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
