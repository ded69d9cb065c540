"""The round portfolio report through the API: GET /api/v1/rounds/<id>/portfolio.pdf."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from fund.award_api import PDF_RESPONSES, DocumentView
from reviews.selectors import ranking_round_or_none

from .portfolio import can_view_portfolio, round_portfolio_pdf


class RoundPortfolioPDF(DocumentView):
    @extend_schema(responses=PDF_RESPONSES, summary="Round portfolio report (PDF)")
    def get(self, request, pk: int):
        # Rounds are known to every signed-in user, drafts only to fund managers and the
        # chairs of their panels: a round the user may not know of is a 404 like no round.
        round_ = ranking_round_or_none(request.user, pk)
        if round_ is None:
            raise exceptions.NotFound("No such round.")
        if not can_view_portfolio(request.user, round_):
            raise exceptions.PermissionDenied(
                "The portfolio report is for fund managers and the round's panel chairs."
            )
        return self.pdf_response(round_portfolio_pdf(round_, request.user),
                                 f"round-{round_.pk}-portfolio.pdf")


urlpatterns = [
    path("rounds/<int:pk>/portfolio.pdf", RoundPortfolioPDF.as_view(),
         name="round-portfolio-pdf"),
]
