"""The /data/ pages (namespace `data`, portal/data_urls.py): fund managers import a file
with a dry run, then confirm; they download exports and the 360Giving data.

They compose the file engine of datafiles/ (the two steps of an import, the export registry)
with the jobs (a large file is checked in the background), the invitation of the people an
import created (people/invitations.py) and fund's 360Giving data, so they live on the top
floor. The admin's import and export (datafiles/admin_mixins.py) share the same steps.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from datafiles.exports import EXPORT_FORMATS, EXPORTS, may_move_files
from datafiles.kinds import all_headers
from datafiles.steps import (
    NOTHING_WAITING,
    ImportForm,
    NothingWaiting,
    check_import,
    confirm_import,
    export_response,
    file_errors,
    hand_large_file_to_a_job,
)
from fund import giving360
from fund.giving360_api import awards_visible_to, package_response
from jobs.api import giving360_job
from people.invitations import remember_imported_people
from workflow.ids import parse_id


def _require(user) -> None:
    if not may_move_files(user):
        raise PermissionDenied(_("Only fund managers and administrators may import or export files."))


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


@login_required
def export_file(request, kind: str, fmt: str):
    """A CSV or XLSX of what the viewer may see of that kind (options such as leaving out
    reviewer names; `round` narrows proposals, reviews and awards to one round)."""
    _require(request.user)
    if kind not in EXPORTS or fmt not in EXPORT_FORMATS:
        raise Http404(_("No such export."))
    options = {name: request.GET.get(name) in ("1", "on", "true") for name in EXPORTS[kind][2]}
    round_id = parse_id(request.GET.get("round"))
    if request.GET.get("round") and round_id is None:
        # Exporting every round instead would hand over more than was asked for.
        return HttpResponseBadRequest("“round” must be the number of a round.",
                                      content_type="text/plain; charset=utf-8")
    return export_response(kind, fmt, viewer=request.user, options=options, round_id=round_id,
                           request=request)


@login_required
def export_360giving(request, fmt: str):
    """Awards as 360Giving data, JSON or the standard's flattened CSV: streamed, or made by a
    background job when there are more than `EXPORT_INLINE_MAX_ROWS` awards (the one already
    waiting, if the same person asked for the same format before it finished)."""
    _require(request.user)
    if fmt not in giving360.CONTENT_TYPES:
        raise Http404(_("No such export."))
    awards = awards_visible_to(request.user)
    job = giving360_job(request.user, fmt, awards)
    if job is not None:
        messages.info(request, _("This export is large, so it is made in the background. "
                               "This page offers the file when it is ready."))
        return redirect(job)
    return package_response(awards, fmt, filename=f"360giving-{timezone.localdate()}.{fmt}",
                            attachment=True)
