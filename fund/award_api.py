"""The awards and tranches part of the JSON API (issue 4), and the PDF documents.

`awards/` and `tranches/` are read-only collections (an award is made by the proposal's
`fund` transition); tranches move by `POST tranches/<id>/transitions/<name>/`. The PDFs
answer to those who may see the object, with the same 401/403/404 as the object.
"""

import json

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, serializers, viewsets
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from proposals.models import Proposal
from proposals.permissions import can_view_proposal
from workflow.api import AvailableTransitionsField, TransitionViewSetMixin, visible_choices

from . import documents
from .models import MONEY, Award, Tranche
from .services.awards import (
    AWARD_TRANSITIONS,
    TRANCHE_TRANSITIONS,
    awards_visible_to,
    can_view_award,
)


# --- serializers ------------------------------------------------------------------------------
class TrancheSerializer(serializers.ModelSerializer):
    available_transitions = AvailableTransitionsField(transitions=TRANCHE_TRANSITIONS)

    class Meta:
        model = Tranche
        fields = [
            "id", "award", "sequence", "amount", "due_on", "milestone", "milestone_report",
            "state", "available_transitions",
        ]
        read_only_fields = fields


class AwardTrancheSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tranche
        fields = ["id", "sequence", "amount", "due_on", "milestone", "milestone_report", "state"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    tranches = AwardTrancheSerializer(many=True, read_only=True)
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    round = serializers.IntegerField(source="proposal.round_id", read_only=True)
    fund = serializers.IntegerField(source="proposal.round.fund_id", read_only=True)
    released_amount = serializers.DecimalField(
        **MONEY, read_only=True, help_text="Released so far (released and reported tranches)."
    )
    letter = serializers.SerializerMethodField(help_text="The award letter (PDF).")
    available_transitions = AvailableTransitionsField(transitions=AWARD_TRANSITIONS)

    class Meta:
        model = Award
        fields = [
            "id", "proposal", "proposal_title", "round", "fund", "amount", "released_amount",
            "approved_by", "approved_at", "conditions", "state", "tranches", "letter",
            "available_transitions",
        ]
        read_only_fields = fields

    def get_letter(self, award) -> str:
        request = self.context.get("request")
        url = f"/api/v1/awards/{award.pk}/letter.pdf"
        return request.build_absolute_uri(url) if request else url


# --- collections ------------------------------------------------------------------------------
class AwardFilter(filters.FilterSet):
    round = filters.NumberFilter(field_name="proposal__round")
    fund = filters.NumberFilter(field_name="proposal__round__fund")
    proposal = filters.NumberFilter(field_name="proposal")

    class Meta:
        model = Award
        fields = ["state", "round", "fund", "proposal"]


class AwardViewSet(TransitionViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Awards the requesting user may see (those of proposals they may see), with tranches."""

    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    transitions = AWARD_TRANSITIONS
    # ?cursor= keyset paging (api_common/pagination.py), on the award_approved index.
    cursor_ordering = ("-approved_at", "-id")

    def get_queryset(self):
        from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
        from django.db.models.functions import Coalesce

        # A subquery per listed award (not a GROUP BY over every visible award), so a page
        # is read from the award_approved index.
        released = (
            Tranche.objects.filter(award=OuterRef("pk"), state__in=[
                Tranche.State.RELEASED, Tranche.State.REPORTED])
            .order_by().values("award").annotate(total=Sum("amount")).values("total")
        )
        return (
            awards_visible_to(self.request.user)
            .select_related("proposal", "proposal__round", "proposal__lead")
            .prefetch_related("tranches", "proposal__team", "proposal__partner_agencies")
            .annotate(released_amount=Coalesce(
                Subquery(released, output_field=DecimalField(**MONEY)), Value(0),
                output_field=DecimalField(**MONEY),
            ))
            .order_by("-approved_at", "-id")
        )


class TrancheFilter(filters.FilterSet):
    award = filters.ModelChoiceFilter(queryset=visible_choices(awards_visible_to))

    class Meta:
        model = Tranche
        fields = ["state", "award"]


class TrancheViewSet(TransitionViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Tranches of the awards the requesting user may see; `release`, `report_milestone`
    (with `milestone_report`) and `cancel` (with `reason`) as transitions."""

    serializer_class = TrancheSerializer
    filterset_class = TrancheFilter
    transitions = TRANCHE_TRANSITIONS
    # ?cursor= keyset paging (api_common/pagination.py), on tranche_sequence_unique.
    cursor_ordering = ("award_id", "sequence")

    def get_queryset(self):
        return (
            Tranche.objects.filter(award__in=awards_visible_to(self.request.user).values("pk"))
            .select_related("award", "award__proposal", "award__proposal__lead")
            .prefetch_related("award__proposal__team", "award__proposal__partner_agencies")
            .order_by("award_id", "sequence")
        )


# --- documents --------------------------------------------------------------------------------
class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()  # an error body, when a client asked for PDF only


class DocumentView(APIView):
    """GET a PDF of an object the user may see; 404 for one they may not know exists."""

    renderer_classes = [renderers.JSONRenderer, PDFRenderer]
    filename = "document.pdf"

    def pdf_response(self, content: bytes, filename: str) -> HttpResponse:
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The PDF."),
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="Not allowed."),
    404: OpenApiResponse(description="No such object, or not one the user may see."),
}


class ProposalSummaryPDF(DocumentView):
    @extend_schema(responses=PDF_RESPONSES, summary="Proposal summary (PDF)")
    def get(self, request, pk: int):
        # One answer for "no such proposal" and "not one you may see": the same 404 body.
        proposal = Proposal.objects.prefetch_related("team").filter(pk=pk).first()
        if proposal is None or not can_view_proposal(request.user, proposal):
            raise exceptions.NotFound(gettext("No such proposal."))
        return self.pdf_response(documents.proposal_summary_pdf(proposal),
                                 f"proposal-{proposal.pk}-summary.pdf")


class AwardLetterPDF(DocumentView):
    @extend_schema(responses=PDF_RESPONSES, summary="Award letter (PDF)")
    def get(self, request, pk: int):
        award = Award.objects.select_related("proposal").filter(pk=pk).first()
        if award is None or not can_view_award(request.user, award):
            raise exceptions.NotFound(gettext("No such award."))
        return self.pdf_response(documents.award_letter_pdf(award), f"award-{award.pk}-letter.pdf")


router = SimpleRouter()
router.register("awards", AwardViewSet, basename="award")
router.register("tranches", TrancheViewSet, basename="tranche")

urlpatterns = [
    path("proposals/<int:pk>/summary.pdf", ProposalSummaryPDF.as_view(),
         name="proposal-summary-pdf"),
    path("awards/<int:pk>/letter.pdf", AwardLetterPDF.as_view(), name="award-letter-pdf"),
    *router.urls,
]
