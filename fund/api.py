"""The fund part of the JSON API (see API.md): funds, contributions and rounds."""

from django.urls import re_path
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from api_common.permissions import IsFundManagerOrReadOnly
from people.models import Agency
from workflow.api import (
    AvailableTransitionsField,
    TransitionViewSetMixin,
    VisibleRelatedField,
    state_field,
    visible_choices,
)
from workflow.dates import END, START, MomentSerializerField

from . import services
from .models import MONEY, Contribution, Fund, Round
from .selectors import funds_visible_to, funds_with_balance

WRITERS = [IsAuthenticated, IsFundManagerOrReadOnly]


# --- funds ---------------------------------------------------------------------------------------


class FundSerializer(serializers.ModelSerializer):
    available_balance = serializers.DecimalField(
        **MONEY, read_only=True, help_text="Contributions less awards that are not cancelled."
    )
    total_contributed = serializers.DecimalField(**MONEY, read_only=True, source="contributed_sum")
    total_committed = serializers.DecimalField(**MONEY, read_only=True, source="committed_sum")
    slug = serializers.SlugField(required=False, allow_blank=True, max_length=50)

    class Meta:
        model = Fund
        fields = [
            "id", "name", "slug", "currency", "description", "organisation",
            "organisation_identifier", "is_active", "available_balance", "total_contributed",
            "total_committed",
        ]


class FundFilter(filters.FilterSet):
    class Meta:
        model = Fund
        fields = ["is_active"]


class FundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Funds with their balance, computed by the database; fund managers create and change them."""

    serializer_class = FundSerializer
    filterset_class = FundFilter
    permission_classes = WRITERS

    def get_queryset(self):
        return funds_with_balance().order_by("name", "id")

    def _answer(self, fund: Fund, code=status.HTTP_200_OK) -> Response:
        fund = self.get_queryset().get(pk=fund.pk)
        return Response(self.get_serializer(fund).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "is_active"}
        fund = services.fund_create(actor=request.user, **fields)
        if serializer.validated_data.get("is_active") is False:
            fund = services.fund_update(actor=request.user, fund=fund, is_active=False)
        return self._answer(fund, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        fund = self.get_object()
        serializer = self.get_serializer(fund, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if not fields.get("slug", True):
            fields.pop("slug")
        fund = services.fund_update(actor=request.user, fund=fund, **fields)
        return self._answer(fund)


class ContributionSerializer(serializers.ModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = Contribution
        fields = ["id", "fund", "agency", "amount", "received_on", "note"]
        read_only_fields = ["id", "fund"]


class ContributionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """`funds/<id>/contributions/`: what each agency put into the fund; fund managers record them."""

    serializer_class = ContributionSerializer
    permission_classes = WRITERS
    filterset_fields = ["agency"]

    def get_fund(self) -> Fund:
        if not hasattr(self, "_fund"):
            fund_pk = self.kwargs.get("fund_pk")
            # A fund the user may not see (an inactive one, for all but fund managers) is
            # answered like one that does not exist.
            self._fund = get_object_or_404(funds_visible_to(self.request.user), pk=fund_pk)
        return self._fund

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contribution.objects.none()
        return Contribution.objects.filter(fund=self.get_fund()).order_by("-received_on", "-id")

    def create(self, request, *args, **kwargs):
        fund = self.get_fund()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contribution = services.contribution_create(
            actor=request.user, fund=fund, **serializer.validated_data
        )
        return Response(self.get_serializer(contribution).data, status=status.HTTP_201_CREATED)


# --- rounds ------------------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    """A line of the round's rubric (reviews.Criterion, reached as `round.criteria`), read
    only: the rubric is changed through reviews/' rubric pages and API."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    max_score = serializers.IntegerField(read_only=True)


class RoundSerializer(serializers.ModelSerializer):
    state = state_field(Round)
    fund = VisibleRelatedField(visible=funds_visible_to, model=Fund)
    criteria = CriterionSerializer(many=True, read_only=True)
    available_transitions = AvailableTransitionsField(transitions=services.ROUND_TRANSITIONS)
    budget = serializers.DecimalField(**MONEY)
    max_award = serializers.DecimalField(**MONEY)
    slug = serializers.SlugField(required=False, allow_blank=True, max_length=50)
    # A date without a time: the start of that day, or for closing its end (Asia/Thimphu).
    opens_at = MomentSerializerField(end=START)
    closes_at = MomentSerializerField(end=END)

    class Meta:
        model = Round
        fields = [
            "id", "fund", "title", "slug", "description", "opens_at", "closes_at", "budget",
            "max_award", "min_partner_agencies", "min_panel_agencies", "reviews_required",
            "state", "criteria", "available_transitions",
        ]
        read_only_fields = ["state"]


class RoundUpdateSerializer(RoundSerializer):
    """A round stays in its fund."""

    fund = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(RoundSerializer.Meta):
        read_only_fields = ["state", "fund"]


class RoundFilter(filters.FilterSet):
    fund = filters.ModelChoiceFilter(queryset=visible_choices(funds_visible_to))
    state = filters.ChoiceFilter(choices=Round.State.choices)

    class Meta:
        model = Round
        fields = ["fund", "state"]


class RoundViewSet(
    TransitionViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for proposals with their rubric; draft rounds are seen only by fund managers."""

    permission_classes = WRITERS
    filterset_class = RoundFilter
    transitions = services.ROUND_TRANSITIONS

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return RoundUpdateSerializer
        return RoundSerializer

    def get_queryset(self):
        qs = Round.objects.select_related("fund").prefetch_related("criteria")
        user = self.request.user
        if not (user and user.is_authenticated and user.is_fund_manager):
            qs = qs.exclude(state=Round.State.DRAFT)
        return qs.order_by("-opens_at", "-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        round_ = services.round_create(actor=request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=round_.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, *args, **kwargs):
        round_ = self.get_object()
        serializer = self.get_serializer(
            round_, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if not fields.get("slug", True):
            fields.pop("slug")
        round_ = services.round_update(actor=request.user, round_=round_, **fields)
        return Response(self.get_serializer(self.get_queryset().get(pk=round_.pk)).data)


router = SimpleRouter()
router.register("funds", FundViewSet, basename="fund")
router.register("rounds", RoundViewSet, basename="round")

contributions = ContributionViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    *router.urls,
    re_path(r"^funds/(?P<fund_pk>[^/.]+)/contributions/$", contributions, name="fund-contributions"),
]
