"""Jobs through the API, for a client with its token, and the API answer that starts one.

- `GET /api/v1/jobs/<id>/`: the job (state, title, times, the error of a failed one) and,
  once ready and readable, `result_url`.
- `GET /api/v1/jobs/<id>/result`: the file it made. The same checks as the page's download
  (jobs/views.py `job_result`, `selectors.can_read_result`): the owner only (404 for anyone
  else: they may not know it exists); the kind's `may_read`; and what the owner may see must
  be what it was when the job read the data (jobs/viewer.py), else 403 saying to make it again.
- `GET /api/v1/awards/360giving.json`: the awards the requester may see as a 360Giving
  package, streamed; above `EXPORT_INLINE_MAX_ROWS` awards, 202 Accepted with the job that
  makes it (`Location`, `job`, `job_url`, `state`), the one already waiting if there is one.
  (It is routed here, not in fund, because fund sits below jobs: fund/giving360_api.py.)
"""

from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, renderers, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from fund.giving360_api import awards_visible_to, package_response, too_many_to_stream

from . import selectors, services
from .kinds import GIVING360
from .models import Job

SIGHT_CHANGED = gettext_lazy(
    "What you may see has changed since this file was made (a conflict of interest, "
    "a review to write, a team or a role): make it again.")
NO_LONGER = gettext_lazy("You may no longer see what this job made.")


def _own_job(request, pk: int) -> Job:
    """The requester's job; anyone else's is a 404 like no job at all."""
    job = Job.objects.filter(pk=pk).first()
    if job is None or not selectors.can_view_job(request.user, job):
        raise exceptions.NotFound(_("No such job."))
    return job


def _refusal(user, job: Job) -> str | None:
    """Why the job's file may not be given to `user` now, or None."""
    if selectors.can_read_result(user, job):
        return None
    return SIGHT_CHANGED if selectors.sight_changed(user, job) else NO_LONGER


def job_data(request, job: Job) -> dict:
    has_file = job.state == Job.State.READY and bool(job.result)
    refused = _refusal(request.user, job) if has_file else None
    readable = has_file and refused is None
    return {
        "id": job.pk, "kind": job.kind, "title": job.title, "state": job.state,
        "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error if job.state == Job.State.FAILED else "",
        "result_url": (request.build_absolute_uri(reverse("api-job-result", args=[job.pk]))
                       if readable else None),
        "result_name": job.result_name if readable else "",
        "result_content_type": job.result_content_type if readable else "",
        "result_refused": refused or "",
        "page_url": request.build_absolute_uri(job.get_absolute_url()),
    }


JOB_SCHEMA = inline_serializer("Job", {
    "id": serializers.IntegerField(),
    "kind": serializers.ChoiceField(choices=Job.Kind.choices),
    "title": serializers.CharField(),
    "state": serializers.ChoiceField(choices=Job.State.choices),
    "created_at": serializers.DateTimeField(),
    "started_at": serializers.DateTimeField(allow_null=True),
    "finished_at": serializers.DateTimeField(allow_null=True),
    "error": serializers.CharField(help_text="Why a failed job failed (empty otherwise)."),
    "result_url": serializers.URLField(
        allow_null=True, help_text="Where to GET the file: only once ready, and only while its "
                                   "owner may still read it."),
    "result_name": serializers.CharField(),
    "result_content_type": serializers.CharField(),
    "result_refused": serializers.CharField(
        help_text="Why a ready file is not given (e.g. what you may see changed since it was "
                  "made: make it again); empty otherwise."),
    "page_url": serializers.URLField(help_text="The job's web page."),
})

JOB_STARTED = inline_serializer("JobStarted", {
    "detail": serializers.CharField(),
    "job": serializers.IntegerField(),
    "job_url": serializers.URLField(help_text="`GET` it (the job) until `state` is `ready`."),
    "state": serializers.ChoiceField(choices=Job.State.choices),
})


class JobDetail(APIView):
    @extend_schema(responses={
        200: JOB_SCHEMA,
        401: OpenApiResponse(description="Not signed in."),
        404: OpenApiResponse(description="No such job, or another person's."),
    }, summary="A job of yours: its state, and its file's address once ready")
    def get(self, request, pk: int):
        response = Response(job_data(request, _own_job(request, pk)))
        response["Cache-Control"] = "private, no-store"
        return response


class AnyAccept(BaseContentNegotiation):
    """A file is sent as what it is, whatever the client said it accepts; errors as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers_, format_suffix=None):
        return renderers_[0], renderers_[0].media_type


class JobResult(APIView):
    renderer_classes = [renderers.JSONRenderer]
    content_negotiation_class = AnyAccept

    @extend_schema(responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, "The file (its own content type: CSV, XLSX, JSON, PDF)."),
        401: OpenApiResponse(description="Not signed in."),
        403: OpenApiResponse(description=(
            "You may no longer read it: what you may see changed since it was made (a "
            "conflict of interest, a review to write, a team or a role; make it again), or "
            "you lost the role it needs.")),
        404: OpenApiResponse(description="No such job, another person's, or one with no file "
                                         "(failed, or an import's report)."),
        409: OpenApiResponse(description="Not ready yet: `{\"detail\", \"state\"}`."),
    }, summary="The file a job of yours made")
    def get(self, request, pk: int):
        job = _own_job(request, pk)
        if job.state in (Job.State.QUEUED, Job.State.RUNNING):
            return Response({"detail": _("This job is not finished yet: ask again later."),
                             "state": job.state}, status=409)
        if job.state != Job.State.READY or not job.result:
            raise exceptions.NotFound(_("This job has no file to download."))
        refused = _refusal(request.user, job)
        if refused:
            raise exceptions.PermissionDenied(refused)
        try:
            handle = job.result.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise exceptions.NotFound(_("The file is missing.")) from exc
        from .views import result_response

        return result_response(job, handle)


# --- 360Giving ------------------------------------------------------------------------------
def waiting_giving360_job(user, fmt: str) -> Job | None:
    """The job still making `user`'s 360Giving data in `fmt` (queued or running), if any."""
    from .selectors import waiting_jobs

    return waiting_jobs(user, Job.Kind.EXPORT).filter(
        params__export=GIVING360, params__format=fmt).first()


def giving360_job(user, fmt: str, awards) -> Job | None:
    """The job making `user`'s 360Giving data (`awards`, those they may see) in `fmt`, or None
    when there are few enough to stream in the request. A job still waiting is the answer
    before anything is counted (asking twice, or again and again while it runs, neither makes
    it twice nor counts twice); else more than `EXPORT_INLINE_MAX_ROWS` awards start one."""
    waiting = waiting_giving360_job(user, fmt)
    if waiting is not None:
        return waiting
    if not too_many_to_stream(awards):
        return None
    return services.start_export_job(actor=user, params={
        "export": GIVING360, "format": fmt, "label": _("360Giving data"),
        "filename": f"360giving-{timezone.localdate()}.{fmt}",
    })


def _wants_html(request) -> bool:
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


class ThreeSixtyGivingPackage(APIView):
    @extend_schema(responses={
        (200, "application/json"): OpenApiTypes.OBJECT,
        202: OpenApiResponse(JOB_STARTED, description=(
            "More than `EXPORT_INLINE_MAX_ROWS` awards: the package is made by a job (the one "
            "already waiting, if any). `Location` and `job_url` name the job "
            "(`GET /api/v1/jobs/<id>/`); its `result_url` gives the file once ready.")),
        303: OpenApiResponse(description="The same, to a browser: a redirect to the job's page."),
        401: OpenApiResponse(description="Not signed in."),
    }, summary="Awards as a 360Giving data package")
    def get(self, request):
        awards = awards_visible_to(request.user)
        job = giving360_job(request.user, "json", awards)
        if job is not None:
            if _wants_html(request):
                return HttpResponseRedirect(job.get_absolute_url(), status=303)
            url = reverse("api-job", args=[job.pk])
            response = Response({
                "detail": _("There are many awards: the 360Giving package is being made as a job. "
                            "Ask the job (job_url) until it is ready, then GET its result_url."),
                "job": job.pk, "job_url": request.build_absolute_uri(url), "state": job.state,
            }, status=202)
            response["Location"] = url
            return response
        # Streamed a grant at a time from one query: constant memory whatever their number.
        return package_response(awards, "json", filename="360giving.json", attachment=False)


urlpatterns = [
    path("awards/360giving.json", ThreeSixtyGivingPackage.as_view(), name="awards-360giving"),
    path("jobs/<int:pk>/", JobDetail.as_view(), name="api-job"),
    path("jobs/<int:pk>/result", JobResult.as_view(), name="api-job-result"),
]
