"""Pages for jobs: start one, watch it, take what it made. Views parse, call a service, show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fund.models import Round
from fund.selectors import can_view_round

from . import selectors, services
from .kinds import import_confirmable
from .models import Job

RECENT = 50
# Reload a waiting page every few seconds, but not forever: after this long the owner
# reloads by hand (a page that never stops reloading is hard to use with a screen reader).
AUTO_REFRESH_SECONDS = 3
AUTO_REFRESH_FOR_SECONDS = 10 * 60
SIGHT_CHANGED = gettext_lazy(
    "What you may see has changed since this file was made (a conflict of interest, "
    "a review to write, a team or a role): make it again.")


def _own_job(request, pk: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("owner"), pk=pk)
    if not selectors.can_view_job(request.user, job):
        raise Http404(_("No such job."))
    return job


@login_required
def job_list(request):
    jobs = selectors.jobs_visible_to(request.user)[:RECENT]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    may_read = selectors.can_read_result(request.user, job)
    waiting = not job.is_finished
    age = job.started_at or job.created_at
    refresh = (
        waiting and request.GET.get("auto") != "off"
        and (timezone.now() - age).total_seconds() < AUTO_REFRESH_FOR_SECONDS
    )
    context = {
        "job": job, "may_read": may_read,
        "sight_changed": not may_read and selectors.sight_changed(request.user, job), "waiting": waiting, "refresh": refresh,
        "refresh_seconds": AUTO_REFRESH_SECONDS,
        "confirmation": job.followups.order_by("pk").first() if may_read else None,
        "confirmable": may_read and import_confirmable(job),
    }
    response = render(request, "jobs/job_detail.html", context)
    if refresh:
        response["Refresh"] = str(AUTO_REFRESH_SECONDS)
    response["Cache-Control"] = "private, no-store"
    return response


def result_response(job: Job, handle) -> FileResponse:
    """A job's file as a download that no browser runs or keeps (the page and the API)."""
    response = FileResponse(handle, as_attachment=True, filename=job.result_name,
                            content_type=job.result_content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def job_result(request, pk: int):
    """A job's file leaves only through here: to its owner, while they may still see it."""
    job = _own_job(request, pk)
    if not selectors.can_read_result(request.user, job):
        if selectors.sight_changed(request.user, job):
            raise PermissionDenied(SIGHT_CHANGED)
        raise PermissionDenied(_("You may no longer see what this job made."))
    if job.state != Job.State.READY or not job.result:
        raise Http404(_("This job has no file to download."))
    try:
        handle = job.result.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("The file is missing.")) from exc
    return result_response(job, handle)


@login_required
@require_POST
def round_portfolio_start(request, round_pk: int):
    """Prepare a round's portfolio report off the request, then show the job."""
    round_ = get_object_or_404(Round, pk=round_pk)
    if not can_view_round(request.user, round_):
        raise Http404(_("No such round."))
    # The report still being prepared for this person, if any: asking twice makes it once.
    job = services.waiting_or_started(
        actor=request.user, kind=Job.Kind.ROUND_PORTFOLIO, params={"round": round_.pk},
        waiting=lambda waiting_jobs: waiting_jobs(request.user, Job.Kind.ROUND_PORTFOLIO)
        .filter(params__round=round_.pk).first())
    return redirect(job)


@login_required
@require_POST
def import_confirm(request, pk: int):
    """Apply the file a ready dry run checked (as another job: the file is large)."""
    dry_run = _own_job(request, pk)
    if not selectors.can_read_result(request.user, dry_run):
        raise PermissionDenied(_("Only fund managers and administrators may import files."))
    try:
        job = services.confirm_import_job(actor=request.user, dry_run=dry_run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(dry_run)
    return redirect(job)
