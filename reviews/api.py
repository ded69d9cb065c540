"""The reviews part of the JSON API (API.md): `panels/`, `assignments/` (with
`assignments/<id>/review/` and transitions), `rounds/<id>/ranking/` and
`proposals/<id>/reviews/`. Thin: parse, call a service or selector, present."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from api_common.permissions import NoWritesByHROfficers
from fund.models import Round
from fund.selectors import rounds_visible_to
from people.models import User
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to
from workflow.api import (
    AvailableTransitionsField,
    TransitionViewSetMixin,
    VisibleRelatedField,
    people_visible_to,
    visible_choices,
)
from workflow.bounds import visible_text

from . import services
from .calibration import TOO_FEW_TO_MEASURE
from .models import Assignment, Panel, Review
from .permissions import (
    ReviewAccess,
    can_manage_panel,
    can_view_assignment,
    can_view_ranking,
    review_access,
)
from .selectors import (
    RANKING_ORDERS,
    RANKING_PAGE_SIZE,
    RANKING_PAGE_SIZE_MAX,
    assignments_visible_to,
    calibration_summary,
    panels_visible_to,
    ranking_order,
    ranking_page,
    ranking_round_or_none,
    reviews_for_viewer,
)

# --- panels ------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    agency_code = serializers.CharField(source="agency.code", read_only=True, default=None)

    class Meta:
        model = User
        fields = ["id", "name", "agency", "agency_code"]


class PanelSerializer(serializers.ModelSerializer):
    chair = PersonSerializer(read_only=True)
    members = PersonSerializer(many=True, read_only=True)
    agency_count = serializers.SerializerMethodField()

    class Meta:
        model = Panel
        fields = ["id", "round", "name", "chair", "deputy_chair", "members", "agency_count"]

    def get_agency_count(self, panel) -> int:
        return len({m.agency_id for m in panel.members.all() if m.agency_id})


def _agreement_reason(calibration) -> dict:
    """Why the ranking gives no alpha (reviews.calibration.TOO_FEW_TO_MEASURE), or nothing."""
    if calibration is None or calibration.alpha is not None:
        return {"agreement_alpha_reason": None, "agreement_alpha_note": None}
    return {"agreement_alpha_reason": "too_few_reviews",
            "agreement_alpha_note": str(TOO_FEW_TO_MEASURE)}


# Ids in a body are found only among what the requesting user may see (VisibleRelatedField):
# an id they may not see is answered like one that does not exist.
class PanelWriteSerializer(serializers.Serializer):
    round = VisibleRelatedField(visible=rounds_visible_to, model=Round)
    name = serializers.CharField(max_length=200, validators=[visible_text])
    chair = VisibleRelatedField(visible=people_visible_to, model=User)
    deputy_chair = VisibleRelatedField(visible=people_visible_to, model=User, required=False,
                                       allow_null=True)
    members = VisibleRelatedField(visible=people_visible_to, model=User, many=True,
                                  required=False)


class PanelUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, validators=[visible_text])
    chair = VisibleRelatedField(visible=people_visible_to, model=User, required=False)
    deputy_chair = VisibleRelatedField(visible=people_visible_to, model=User, required=False,
                                       allow_null=True)
    members = VisibleRelatedField(visible=people_visible_to, model=User, many=True,
                                  required=False)


class PanelFilter(filters.FilterSet):
    round = filters.ModelChoiceFilter(queryset=visible_choices(rounds_visible_to))

    class Meta:
        model = Panel
        fields = ["round"]


class PanelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Review panels: fund managers see and set up all; chairs and members see theirs."""

    permission_classes = [IsAuthenticated, NoWritesByHROfficers]
    filterset_class = PanelFilter

    def get_queryset(self):
        return panels_visible_to(self.request.user).order_by("round", "name", "id")

    def get_serializer_class(self):
        if self.action == "create":
            return PanelWriteSerializer
        if self.action in ("update", "partial_update"):
            return PanelUpdateSerializer
        return PanelSerializer

    def _answer(self, panel, code=status.HTTP_200_OK):
        panel = self.get_queryset().get(pk=panel.pk)
        return Response(PanelSerializer(panel, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=PanelWriteSerializer, responses={201: PanelSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PanelWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        panel = services.panel_create(actor=request.user, round_=data["round"], name=data["name"],
                                      chair=data["chair"], members=data.get("members", []),
                                      deputy_chair=data.get("deputy_chair"))
        return self._answer(panel, status.HTTP_201_CREATED)

    @extend_schema(request=PanelUpdateSerializer, responses={200: PanelSerializer})
    def update(self, request, *args, **kwargs):
        panel = self.get_object()
        serializer = PanelUpdateSerializer(data=request.data, partial=kwargs.get("partial", False),
                                           context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        panel = services.panel_update(actor=request.user, panel=panel, **serializer.validated_data)
        return self._answer(panel)

    @extend_schema(request=PanelUpdateSerializer, responses={200: PanelSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


# --- reviews, shaped per viewer ---------------------------------------------------------------


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    name = serializers.CharField(source="criterion.name")
    value = serializers.IntegerField()
    max_score = serializers.IntegerField(source="criterion.max_score")
    weight = serializers.DecimalField(source="criterion.weight", max_digits=6, decimal_places=2)


class ReviewSerializer(serializers.ModelSerializer):
    """The whole review: for its reviewer, the chair, fund managers and, once they have
    submitted theirs, the other reviewers of the proposal."""

    reviewer = PersonSerializer(source="assignment.reviewer", read_only=True)
    state = serializers.CharField(source="assignment.state", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "assignment", "reviewer", "state", "scores", "weighted_score",
                  "recommendation", "comment_to_applicant", "comment_to_panel", "submitted_at"]


class ApplicantReviewSerializer(serializers.ModelSerializer):
    """What the applicant sees: the comment to them, with no name and no scores."""

    class Meta:
        model = Review
        fields = ["comment_to_applicant"]


class ReviewWriteSerializer(serializers.Serializer):
    scores = serializers.ListField(
        child=serializers.DictField(), allow_empty=True,
        help_text='One per criterion: [{"criterion": 1, "value": 4}, ...].',
    )
    comment_to_applicant = serializers.CharField(allow_blank=True, required=False, default="")
    comment_to_panel = serializers.CharField(allow_blank=True, required=False, default="")
    recommendation = serializers.ChoiceField(choices=Review.Recommendation.choices)


# --- assignments ------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = PersonSerializer(read_only=True)
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    available_transitions = AvailableTransitionsField(services.ASSIGNMENT_TRANSITIONS)

    class Meta:
        model = Assignment
        fields = ["id", "proposal", "proposal_title", "reviewer", "panel", "due_on", "state",
                  "conflict_reason", "available_transitions"]


class AssignmentCreateSerializer(serializers.Serializer):
    """Each id is looked up among what the requesting user may see; any other id is answered
    as one that does not exist (so refusals only ever name what the user may see)."""

    proposal = VisibleRelatedField(visible=proposals_visible_to, model=Proposal)
    reviewer = VisibleRelatedField(visible=people_visible_to, model=User)
    panel = VisibleRelatedField(visible=panels_visible_to, model=Panel)
    due_on = serializers.DateField()


class AssignmentFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Assignment.State.choices)
    round = filters.NumberFilter(field_name="proposal__round")
    panel = filters.ModelChoiceFilter(queryset=visible_choices(panels_visible_to))
    proposal = filters.ModelChoiceFilter(queryset=visible_choices(proposals_visible_to))
    reviewer = filters.ModelChoiceFilter(queryset=visible_choices(people_visible_to))

    class Meta:
        model = Assignment
        fields = ["state", "panel", "proposal", "reviewer", "round"]


class AssignmentViewSet(TransitionViewSetMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """A reviewer's own assignments; a chair's or fund manager's: those they manage."""

    permission_classes = [IsAuthenticated, NoWritesByHROfficers]
    filterset_class = AssignmentFilter
    transitions = services.ASSIGNMENT_TRANSITIONS
    # ?cursor= keyset paging (api_common/pagination.py), on the assignment_due index.
    cursor_ordering = ("due_on", "id")

    def get_queryset(self):
        return assignments_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return AssignmentCreateSerializer
        if self.action == "review":
            return ReviewWriteSerializer if self.request.method == "PUT" else ReviewSerializer
        return AssignmentSerializer

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        # Someone who assigns on no panel at all is refused before any id is read: the
        # answer depends on who they are, never on what the ids name.
        user = request.user
        if not (user.is_fund_manager
                or any(can_manage_panel(user, panel) for panel in panels_visible_to(user))):
            raise PermissionDenied(_("Only the panel's chair or a fund manager may assign "
                                   "reviewers."))
        serializer = AssignmentCreateSerializer(data=request.data,
                                                context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        assignment = services.assignment_create(actor=request.user, **serializer.validated_data)
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment, context=self.get_serializer_context())
                        .data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: ReviewSerializer})
    @extend_schema(methods=["PUT"], request=ReviewWriteSerializer,
                   responses={200: ReviewSerializer})
    @action(detail=True, methods=["get", "put"])
    def review(self, request, *args, **kwargs):
        """GET the review; PUT the scores and comments (the reviewer, until submitted)."""
        assignment = self.get_object()
        if request.method == "PUT":
            serializer = ReviewWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.review_save(assignment=assignment, actor=request.user,
                                 **serializer.validated_data)
        if not can_view_assignment(request.user, assignment):
            raise exceptions.NotFound()
        access = review_access(request.user, assignment.proposal)
        mine = assignment.reviewer_id == request.user.pk
        if not (mine or access == ReviewAccess.PANEL):
            # A chair or fund manager with their own open assignment on this proposal, too.
            raise PermissionDenied(_("You may read this review only after submitting your own."))
        review = (Review.objects.filter(assignment=assignment)
                  .select_related("assignment__reviewer__agency")
                  .prefetch_related("scores__criterion").first())
        if review is None or (not mine and assignment.state != Assignment.State.SUBMITTED):
            raise exceptions.NotFound(_("No review has been written yet."))
        return Response(ReviewSerializer(review).data)


# --- the round's ranking and a proposal's reviews ---------------------------------------------



class RankingRowSerializer(serializers.Serializer):
    """One row as `reviews.selectors.ranking_rows` shapes it for the viewer: a proposal the
    viewer has a conflict with, or whose review by the viewer is still open, comes after the
    ranked ones with its title and state only (no rank, amount, count or scores), and such a
    viewer gets no running totals at all."""

    rank = serializers.IntegerField(allow_null=True)
    proposal = serializers.IntegerField(source="proposal.pk")
    title = serializers.CharField(source="proposal.title")
    state = serializers.CharField(source="proposal.state")
    lead_agency = serializers.CharField(allow_null=True)
    requested_amount = serializers.DecimalField(max_digits=14, decimal_places=2,
                                                allow_null=True)
    mean_weighted_score = serializers.DecimalField(max_digits=5, decimal_places=2,
                                                   allow_null=True)
    calibrated_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True,
        help_text="The mean of its reviews' calibrated scores (0-100): each review's weighted "
                  "score standardised against its reviewer's mean and standard deviation in "
                  "the round, mapped back as the round's mean plus z times its pooled standard "
                  "deviation (reviews/calibration.py). Null without reviews, and for a viewer "
                  "not shown calibration (`calibration_shown`).")
    review_count = serializers.IntegerField(allow_null=True)
    spread = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    disagreement = serializers.BooleanField()
    cumulative_requested = serializers.DecimalField(max_digits=16, decimal_places=2,
                                                    allow_null=True)
    above_funding_line = serializers.BooleanField(allow_null=True)
    conflict = serializers.BooleanField(
        help_text="You have a conflict: title and state only, listed after the ranked rows.")
    review_pending = serializers.BooleanField(
        help_text="Your own review of this proposal is not submitted yet: like a conflict, "
                  "title and state only (no rank, count or scores), listed after the ranked "
                  "rows, until you submit it.")


class RankingView(APIView):
    """The round's proposals by mean weighted score, with the funding line (the budget), a
    page at a time: `?page=` and `?page_size=` (default 50, at most 500). Ranks, running totals
    and `funding_line_after_rank` are the whole round's, whatever the page."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("page", int, description="Page number (1 when missing)."),
        OpenApiParameter("page_size", int, description=(
            f"Rows a page (default {RANKING_PAGE_SIZE}, at most {RANKING_PAGE_SIZE_MAX}).")),
        OpenApiParameter("order", str, enum=list(RANKING_ORDERS), description=(
            "Rank by the mean weighted score (`mean`, the default) or by the calibrated score "
            "(`calibrated`); ranks follow the order, while running totals, "
            "`above_funding_line` and `funding_line_after_rank` (a rank by mean score) always "
            "follow the official mean weighted score. "
            "`calibrated` is honoured only when `calibration_shown`.")),
    ], responses={200: inline_serializer("Ranking", {
        "round": serializers.IntegerField(),
        "budget": serializers.DecimalField(max_digits=14, decimal_places=2),
        "funding_line_after_rank": serializers.IntegerField(
            allow_null=True, help_text="The rank after which the funding line falls, in the "
            "whole round (null when every request fits or no totals are shown)."),
        "funding_line_page": serializers.IntegerField(
            allow_null=True, help_text="The page whose rows start past the funding line."),
        "running_totals_shown": serializers.BooleanField(
            help_text="False for a viewer with a conflict on a proposal of the round: no "
                      "running totals and no funding line."),
        "order": serializers.ChoiceField(choices=list(RANKING_ORDERS),
                                         help_text="The order the rows are ranked in."),
        "calibration_shown": serializers.BooleanField(
            help_text="Calibrated scores, agreement and flagged reviewers are given: false for "
                      "a viewer with a proposal of the round set apart (a conflict, or their "
                      "own review still open)."),
        "agreement_alpha": serializers.FloatField(
            allow_null=True, help_text="Krippendorff's alpha (interval metric; Krippendorff "
            "2011) of the round's reviews over proposals x reviewers: 1 perfect agreement, 0 "
            "chance. Null when not shown, or when there are too few reviews to measure it "
            "(fewer than two proposals with two reviews or more, or no scores that differ): "
            "then `agreement_alpha_reason` says so."),
        "agreement_alpha_reason": serializers.CharField(
            allow_null=True, help_text="Why `agreement_alpha` is null while calibration is "
            "shown: \"too_few_reviews\"; null otherwise."),
        "agreement_alpha_note": serializers.CharField(
            allow_null=True, help_text="The same in words, in the request's language "
            "(\"too few reviews to measure agreement\"); null when alpha is given."),
        "flagged_reviewers": inline_serializer("FlaggedReviewer", {
            "reviewer": serializers.IntegerField(),
            "name": serializers.CharField(),
            "mean_score": serializers.FloatField(help_text="Their mean weighted score, 0-100."),
            "reviews": serializers.IntegerField(),
        }, many=True, help_text="Reviewers with at least 3 reviews in the round whose mean "
           "is more than 1.5 standard deviations of the reviewers' means from the mean of all "
           "reviews. Empty when not shown."),
        "count": serializers.IntegerField(help_text="Rows in all pages (ranked and apart)."),
        "ranked_count": serializers.IntegerField(),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": RankingRowSerializer(many=True),
    })})
    def get(self, request, pk: int):
        round_ = ranking_round_or_none(request.user, pk)
        if round_ is None:  # a draft round the user may not see: as if there were none
            raise exceptions.NotFound()
        if not can_view_ranking(request.user, round_):
            raise PermissionDenied(_("Only fund managers and the round's panel chairs see the "
                                   "ranking."))
        page_size = _page_size(request.query_params.get("page_size"))
        page = ranking_page(round_=round_, viewer=request.user,
                            page=request.query_params.get("page"), page_size=page_size,
                            order=ranking_order(request.query_params.get("order")))
        calibration = calibration_summary(round_=round_, shown=page.calibration_shown)

        def link(number):
            return request.build_absolute_uri(
                replace_query_param(request.get_full_path(), "page", number))

        return Response({
            "round": round_.pk,
            "budget": f"{round_.budget:.2f}",
            "funding_line_after_rank": page.funding_line_after_rank,
            "funding_line_page": page.funding_line_page,
            "running_totals_shown": page.totals_shown,
            "order": page.order,
            "calibration_shown": page.calibration_shown,
            "agreement_alpha": calibration.alpha if calibration else None,
            **_agreement_reason(calibration),
            "flagged_reviewers": [
                {"reviewer": user.pk, "name": user.get_full_name() or user.username,
                 "mean_score": round(mean, 2), "reviews": count}
                for user, mean, count in (calibration.flagged if calibration else [])],
            "count": page.count,
            "ranked_count": page.ranked_count,
            "page": page.number,
            "pages": page.num_pages,
            "page_size": page_size,
            "next": link(page.number + 1) if page.has_next else None,
            "previous": link(page.number - 1) if page.has_previous else None,
            "results": RankingRowSerializer(page.rows, many=True).data,
        })


def _page_size(value) -> int:
    """`?page_size=`: the default when missing or bad, never above the maximum."""
    try:
        size = int(str(value))
    except (TypeError, ValueError):
        return RANKING_PAGE_SIZE
    return min(max(size, 1), RANKING_PAGE_SIZE_MAX)


class ProposalReviewsView(APIView):
    """The reviews of a proposal the requesting user may see, shaped for them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: inline_serializer("ProposalReviews", {
        "access": serializers.ChoiceField(choices=[a.value for a in ReviewAccess]),
        "count": serializers.IntegerField(),
        "results": ReviewSerializer(many=True),
    })})
    def get(self, request, pk: int):
        proposal = get_object_or_404(
            proposals_visible_to(request.user).select_related("round", "lead"), pk=pk
        )
        access, reviews = reviews_for_viewer(proposal=proposal, viewer=request.user)
        serializer = ApplicantReviewSerializer if access == ReviewAccess.APPLICANT \
            else ReviewSerializer
        if access == ReviewAccess.APPLICANT:
            reviews = [r for r in reviews if r.comment_to_applicant]
        return Response({"access": access.value, "count": len(reviews),
                         "results": serializer(reviews, many=True).data})


router = SimpleRouter()
router.register("panels", PanelViewSet, basename="panel")
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = [
    *router.urls,
    path("rounds/<int:pk>/ranking/", RankingView.as_view(), name="round-ranking"),
    path("proposals/<int:pk>/reviews/", ProposalReviewsView.as_view(), name="proposal-reviews"),
]
