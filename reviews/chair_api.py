"""`panels/<id>/stand-ins/` (API.md): the stand-in acting chairs a fund manager names for one
proposal of a panel whose chair and deputy chair both have a conflict with it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api_common.permissions import NoWritesByHROfficers
from people.models import User
from proposals.conflicts import conflict_q
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to
from workflow.api import VisibleRelatedField, people_visible_to

from . import services
from .models import PanelStandIn
from .permissions import can_set_up_panel
from .selectors import panels_visible_to


class StandInSerializer(serializers.ModelSerializer):
    class Meta:
        model = PanelStandIn
        fields = ["id", "panel", "proposal", "chair", "named_by", "named_at"]
        read_only_fields = fields


class StandInWriteSerializer(serializers.Serializer):
    proposal = VisibleRelatedField(visible=proposals_visible_to, model=Proposal)
    chair = VisibleRelatedField(visible=people_visible_to, model=User)


class PanelStandInsView(APIView):
    """GET the stand-ins named on the panel (without those on proposals the requesting user
    has a conflict with); POST `{"proposal", "chair"}` as a fund manager to name one."""

    permission_classes = [IsAuthenticated, NoWritesByHROfficers]

    def _panel(self, request, pk):
        return get_object_or_404(panels_visible_to(request.user), pk=pk)

    @extend_schema(responses={200: StandInSerializer(many=True)})
    def get(self, request, pk: int):
        panel = self._panel(request, pk)
        qs = panel.stand_ins.exclude(conflict_q(request.user, "proposal__")).order_by("-named_at")
        return Response(StandInSerializer(qs, many=True).data)

    @extend_schema(request=StandInWriteSerializer, responses={201: StandInSerializer})
    def post(self, request, pk: int):
        panel = self._panel(request, pk)
        if not can_set_up_panel(request.user):
            raise PermissionDenied(gettext("Only fund managers name stand-in chairs."))
        serializer = StandInWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        stand_in = services.panel_stand_in_name(actor=request.user, panel=panel,
                                                **serializer.validated_data)
        return Response(StandInSerializer(stand_in).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("panels/<int:pk>/stand-ins/", PanelStandInsView.as_view(), name="api-panel-stand-ins"),
]
