"""The round portfolio report through the API: GET /api/v1/rounds/<id>/portfolio.pdf, and
every proposal's details beside it, GET /api/v1/rounds/<id>/portfolio.csv (streamed).

A round with more than `PORTFOLIO_INLINE_MAX` proposals past drafting never has its PDF made
inside the request (a worker's timeout, and every other page waiting behind it): the request
starts a job, or finds the one already preparing it for the same person and round, and sends
to its page (/jobs/<id>/): a browser by a 303 redirect, an API client by 202 Accepted with the
job's API address (/api/v1/jobs/<id>/) in `Location` and the body.
"""

from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from datafiles.cells import CSV_CONTENT_TYPE
from fund.award_api import PDF_RESPONSES, DocumentView
from jobs.models import Job
from reviews.selectors import ranking_round_or_none

from .portfolio import (
    can_view_portfolio,
    portfolio_csv_chunks,
    portfolio_inline,
    round_portfolio_pdf,
)


def _portfolio_round(request, pk: int):
    # Rounds are known to every signed-in user, drafts only to fund managers and the
    # chairs of their panels: a round the user may not know of is a 404 like no round.
    round_ = ranking_round_or_none(request.user, pk)
    if round_ is None:
        raise exceptions.NotFound(_("No such round."))
    if not can_view_portfolio(request.user, round_):
        raise exceptions.PermissionDenied(
            _("The portfolio report is for fund managers and the round's panel chairs.")
        )
    return round_


def portfolio_job(user, round_) -> Job:
    """The job preparing `round_`'s portfolio for `user`: the one still waiting or running,
    else a new one (so that asking twice does not make the report twice)."""
    from jobs.services import waiting_or_started

    return waiting_or_started(
        actor=user, kind=Job.Kind.ROUND_PORTFOLIO, params={"round": round_.pk},
        waiting=lambda waiting_jobs: waiting_jobs(user, Job.Kind.ROUND_PORTFOLIO).filter(
            params__round=round_.pk).first())


def _wants_html(request) -> bool:
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


class RoundPortfolioPDF(DocumentView):
    @extend_schema(responses={
        **PDF_RESPONSES,
        202: OpenApiResponse(description=(
            "A large round: the report is being prepared as a job (the one already waiting, "
            "if any); `Location` and `job_url` name the job (`GET /api/v1/jobs/<id>/`), whose "
            "`result_url` gives the PDF once ready.")),
        303: OpenApiResponse(description="The same, to a browser: a redirect to the job."),
    }, summary="Round portfolio report (PDF)")
    def get(self, request, pk: int):
        round_ = _portfolio_round(request, pk)
        if not portfolio_inline(round_):
            job = portfolio_job(request.user, round_)
            if _wants_html(request):
                return HttpResponseRedirect(job.get_absolute_url(), status=303)
            url = reverse("api-job", args=[job.pk])
            response = Response({
                "detail": _("This round is large: its portfolio report is being prepared as a "
                            "job. Ask the job (job_url) until it is ready, then GET its "
                            "result_url."),
                "job": job.pk, "job_url": request.build_absolute_uri(url),
                "state": job.state,
            }, status=202)
            response["Location"] = url
            return response
        return self.pdf_response(round_portfolio_pdf(round_, request.user),
                                 f"round-{round_.pk}-portfolio.pdf")


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        import json

        return json.dumps(data).encode()  # an error body, when a client asked for CSV only


class RoundPortfolioCSV(APIView):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, "The CSV file."),
        401: OpenApiResponse(description="Not signed in."),
        403: OpenApiResponse(description="Not allowed."),
        404: OpenApiResponse(description="No such round, or not one the user may see."),
    }, summary="Round portfolio: every proposal's details (CSV)")
    def get(self, request, pk: int):
        round_ = _portfolio_round(request, pk)
        response = StreamingHttpResponse(portfolio_csv_chunks(round_, request.user),
                                         content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="round-{round_.pk}-portfolio.csv"')
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns = [
    path("rounds/<int:pk>/portfolio.pdf", RoundPortfolioPDF.as_view(),
         name="round-portfolio-pdf"),
    path("rounds/<int:pk>/portfolio.csv", RoundPortfolioCSV.as_view(),
         name="round-portfolio-csv"),
]
