"""The rubric part of the JSON API: `rounds/<id>/criteria/` (GET the round's criteria, POST a
new one) and `criteria/<id>/` (GET, PATCH, DELETE). Anyone who may see the round reads its
rubric; fund managers change it until the round's first review is submitted (then 409).
Thin: parse, call `criterion_create` / `criterion_update` / `criterion_delete`, present."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from fund.models import Round
from fund.selectors import rounds_visible_to
from workflow.bounds import visible_text

from . import services
from .models import Criterion
from .permissions import can_edit_rubric
from .rubric_forms import (
    LOCKED_STATE,
    MAX_SCORE_MESSAGE,
    MAX_SCORE_SCALE,
    MAX_WEIGHT,
    MIN_SCORE_SCALE,
    MIN_WEIGHT,
    NAME_MESSAGE,
    WEIGHT_MESSAGE,
    rubric_lock_reason,
)


class RubricLocked(exceptions.APIException):
    """409: a review has been submitted in the round, so its rubric no longer changes."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "rubric_locked"

    def __init__(self, reason: str):
        super().__init__({"detail": reason, "state": LOCKED_STATE})


class RubricCriterionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=200, validators=[visible_text], error_messages={
        "blank": NAME_MESSAGE, "required": NAME_MESSAGE, "null": NAME_MESSAGE})
    description = serializers.CharField(allow_blank=True, default="")
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=MIN_WEIGHT, max_value=MAX_WEIGHT,
        default="1.00",
        error_messages={"min_value": WEIGHT_MESSAGE, "null": WEIGHT_MESSAGE,
                        "max_value": f"Give a weight of at most {MAX_WEIGHT}."},
    )
    max_score = serializers.IntegerField(
        min_value=MIN_SCORE_SCALE, max_value=MAX_SCORE_SCALE, default=5,
        error_messages={"min_value": MAX_SCORE_MESSAGE, "max_value": MAX_SCORE_MESSAGE,
                        "invalid": MAX_SCORE_MESSAGE, "null": MAX_SCORE_MESSAGE},
    )

    class Meta:
        model = Criterion
        fields = ["id", "round", "name", "description", "weight", "max_score", "position"]
        read_only_fields = ["id", "round", "position"]


def _require_editable(user, round_: Round) -> None:
    """403 before 409 before 400: who may, then whether the rubric still may change."""
    if not can_edit_rubric(user):
        raise PermissionDenied(gettext("Only fund managers may change a round's rubric."))
    reason = rubric_lock_reason(round_)
    if reason:
        raise RubricLocked(reason)


def _run(rubric_round: Round, service, /, **kwargs):
    """Call the service; a refusal because a review was submitted meanwhile is still a 409."""
    try:
        return service(**kwargs)
    except ValidationError:
        reason = rubric_lock_reason(rubric_round)
        if reason:
            raise RubricLocked(reason) from None
        raise


LOCKED_RESPONSE = OpenApiResponse(
    description='The rubric is locked: `{"detail": "...", "state": "locked"}`.')


@extend_schema_view(
    get=extend_schema(tags=["rounds"], summary="The round's rubric criteria"),
    post=extend_schema(tags=["rounds"], summary="Add a criterion to the round's rubric",
                       responses={201: RubricCriterionSerializer, 409: LOCKED_RESPONSE}),
)
class RoundCriteriaView(generics.ListCreateAPIView):
    """The round's rubric, in order; fund managers add criteria until a review is submitted."""

    serializer_class = RubricCriterionSerializer
    filter_backends: list = []

    def round(self) -> Round:
        if not hasattr(self, "_round"):
            self._round = get_object_or_404(rounds_visible_to(self.request.user),
                                            pk=self.kwargs["pk"])
        return self._round

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "round": self.round()}

    def get_queryset(self):
        return Criterion.objects.filter(round=self.round()).order_by("position", "id")

    def create(self, request, *args, **kwargs):
        round_ = self.round()
        _require_editable(request.user, round_)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = _run(round_, services.criterion_create, actor=request.user, round_=round_,
                         **serializer.validated_data)
        return Response(self.get_serializer(criterion).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=["rounds"], summary="One rubric criterion"),
    patch=extend_schema(tags=["rounds"], summary="Change a rubric criterion",
                        responses={200: RubricCriterionSerializer, 409: LOCKED_RESPONSE}),
    delete=extend_schema(tags=["rounds"], summary="Remove a rubric criterion",
                         responses={204: None, 409: LOCKED_RESPONSE}),
)
class CriterionView(generics.RetrieveUpdateDestroyAPIView):
    """One criterion of a round the viewer may see; fund managers change or remove it until the
    round's first review is submitted."""

    serializer_class = RubricCriterionSerializer
    filter_backends: list = []
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (Criterion.objects.filter(round__in=rounds_visible_to(self.request.user))
                .select_related("round"))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "_criterion", None) is not None:
            context["round"] = self._criterion.round
        return context

    def _editable_criterion(self) -> Criterion:
        self._criterion = self.get_object()
        _require_editable(self.request.user, self._criterion.round)
        return self._criterion

    def partial_update(self, request, *args, **kwargs):
        criterion = self._editable_criterion()
        serializer = self.get_serializer(criterion, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        criterion = _run(criterion.round, services.criterion_update, actor=request.user,
                         criterion=criterion, **serializer.validated_data)
        return Response(self.get_serializer(criterion).data)

    def update(self, request, *args, **kwargs):  # only PATCH is routed (http_method_names)
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        criterion = self._editable_criterion()
        _run(criterion.round, services.criterion_delete, actor=request.user, criterion=criterion)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("rounds/<int:pk>/criteria/", RoundCriteriaView.as_view(), name="round-criteria"),
    path("criteria/<int:pk>/", CriterionView.as_view(), name="criterion"),
]
