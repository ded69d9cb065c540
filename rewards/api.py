"""The rewards part of the JSON API: learnings, recognitions, nominations, the innovation record.

Every write calls the services in `rewards.services`; lists come from the selectors that
apply the same rules as the permission functions.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from people.models import Agency, User
from proposals.history import HistoryEntrySerializer, history_data
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to
from workflow.api import (
    AvailableTransitionsField,
    TransitionViewSetMixin,
    VisibleRelatedField,
    people_visible_to,
)

from . import selectors, services
from .documents import dossier_filename, render_dossier
from .forms import RecordChoiceField
from .models import Learning, Nomination, Recognition, decision_refusal, endorse_refusal
from .permissions import can_view_record


# --- filters ---------------------------------------------------------------------------------------
class RecordFilter(filters.ModelChoiceFilter):
    field_class = RecordChoiceField


@extend_schema_field(OpenApiTypes.STR)
class AgencyOrCodeFilter(RecordFilter):
    """An agency by id or by code (`MOH`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, codes=True, **kwargs)


class IdFilter(filters.NumberFilter):
    """A whole-number id, for rows the filter must not reveal the existence of."""

    field_class = forms.IntegerField


class SelectorFilterSet(filters.FilterSet):
    """Declares a list's filters and checks their values, so a bad value is a 400 naming the
    filter, as everywhere in the API; the rewards selector applies them (`apply`), the same
    code the pages use."""

    apply = None

    def filter_queryset(self, queryset):
        values = {name: getattr(value, "pk", value)
                  for name, value in self.form.cleaned_data.items()
                  if value not in (None, "")}
        return type(self).apply(queryset, values)


class LearningFilter(SelectorFilterSet):
    apply = staticmethod(selectors.filter_learnings)
    q = filters.CharFilter(label="Words that must all appear in the text or a tag")
    tag = filters.CharFilter()
    agency = AgencyOrCodeFilter(queryset=Agency.objects.all(),
                                label="Agency (id or code) of an author or of the proposal")
    kind = filters.ChoiceFilter(choices=Learning.Kind.choices)
    visibility = filters.ChoiceFilter(choices=Learning.Visibility.choices)
    proposal = IdFilter(label="Proposal id", min_value=1)
    author = RecordFilter(field_name="author_rows__user", queryset=User.objects.all(),
                          label="Author (a person's id)")

    class Meta:
        model = Learning
        fields = ["q", "tag", "agency", "kind", "visibility", "proposal", "author"]


class RecognitionFilter(SelectorFilterSet):
    apply = staticmethod(selectors.filter_recognitions)
    recipient = RecordFilter(queryset=User.objects.all(), label="Recipient (a person's id)")
    kind = filters.ChoiceFilter(choices=Recognition.Kind.choices)

    class Meta:
        model = Recognition
        fields = ["recipient", "kind"]


class NominationFilter(SelectorFilterSet):
    apply = staticmethod(selectors.filter_nominations)
    state = filters.ChoiceFilter(choices=Nomination.State.choices)
    nominee = RecordFilter(queryset=User.objects.all(), label="Nominee (a person's id)")
    agency = RecordFilter(field_name="nominee__agency", queryset=Agency.objects.all(),
                          label="Nominee's agency (id)")

    class Meta:
        model = Nomination
        fields = ["state", "nominee", "agency"]


# --- ids in a body: only what the writer may see ---------------------------------------------------
def _submitted_proposals(user):
    """Proposals the user may see, past drafting (what a recognition or nomination may name)."""
    return proposals_visible_to(user).exclude(state=Proposal.State.DRAFT)


class EvidenceIdsField(serializers.ListField):
    """Ids written, ids read: the objects are never looked up here (see NominationSerializer)."""

    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    def to_representation(self, data):
        if hasattr(data, "all"):
            data = [obj.pk for obj in data.all()]
        return super().to_representation(data)


# --- learnings -----------------------------------------------------------------------------------
class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=50)

    def to_representation(self, data):
        if hasattr(data, "all"):
            data = [tag.name for tag in data.all()]
        return super().to_representation(data)


class LearningSerializer(serializers.ModelSerializer):
    tags = TagListField(required=False, help_text="Tags as words, e.g. [\"health\", \"sms\"].")
    authors = VisibleRelatedField(
        visible=people_visible_to, model=User, many=True, required=False,
        help_text="Co-authors; the writer is always an author.",
    )
    proposal = VisibleRelatedField(
        visible=proposals_visible_to, model=Proposal, required=False, allow_null=True
    )
    agencies = serializers.SerializerMethodField()

    class Meta:
        model = Learning
        fields = [
            "id", "proposal", "authors", "title", "what_we_tried", "what_happened",
            "what_we_learned", "kind", "tags", "visibility", "published_at", "agencies",
        ]
        read_only_fields = ["published_at"]

    def _proposal_shown(self, learning) -> bool:
        """The learning may name its proposal to the reader (`selectors.with_proposal_shown`;
        asked once here when the instance was not read through it, e.g. just written)."""
        if not learning.proposal_id:
            return False
        shown = getattr(learning, "proposal_shown", None)
        if shown is None:
            request = self.context.get("request")
            shown = selectors.proposals_shown_with_learnings(getattr(request, "user", None)) \
                .filter(pk=learning.proposal_id).exists()
            learning.proposal_shown = shown
        return shown

    def get_agencies(self, learning) -> list[str]:
        codes = {a.agency.code for a in learning.authors if a.agency_id}
        if self._proposal_shown(learning) and learning.proposal.lead.agency_id:
            codes.add(learning.proposal.lead.agency.code)
        return sorted(codes)

    def to_representation(self, learning):
        data = super().to_representation(learning)
        if not self._proposal_shown(learning):
            data["proposal"] = None  # a draft's or an unseen proposal's id is not the reader's
        return data


class LearningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The learnings library; filter with `q` (words), `tag`, `agency`, `kind`, `visibility`,
    `proposal`, `author`. Public learnings are readable without signing in."""

    serializer_class = LearningSerializer
    filterset_class = LearningFilter

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.learning_list(viewer=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.learning_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        extra = {}
        for name in ("tags", "authors"):
            if name in data:
                extra[name] = data.pop(name)
        if "proposal" in data:
            extra["proposal"] = data.pop("proposal")
        serializer.instance = services.learning_update(
            actor=self.request.user, learning=serializer.instance, **extra, **data
        )


# --- recognitions ----------------------------------------------------------------------------------
class RecognitionSerializer(serializers.ModelSerializer):
    recipient = VisibleRelatedField(visible=people_visible_to, model=User)
    proposals = VisibleRelatedField(
        visible=_submitted_proposals, model=Proposal, many=True, required=False
    )
    learnings = VisibleRelatedField(
        visible=selectors.learnings_visible_to, model=Learning, many=True, required=False
    )

    class Meta:
        model = Recognition
        fields = [
            "id", "recipient", "kind", "citation", "proposals", "learnings", "awarded_by",
            "awarded_on",
        ]
        read_only_fields = ["awarded_by"]
        extra_kwargs = {"awarded_on": {"required": False}}


class RecognitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Recognitions: fund managers award them; a recipient sees their own, FMs and HR all."""

    serializer_class = RecognitionSerializer
    filterset_class = RecognitionFilter

    def get_queryset(self):
        return selectors.recognition_list(viewer=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.recognition_award(
            actor=self.request.user, **serializer.validated_data
        )


# --- nominations ------------------------------------------------------------------------------------
class TransitionLogSerializer(serializers.Serializer):
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    note = serializers.CharField()

    def get_actor(self, log) -> str | None:
        return str(log.actor) if log.actor_id else None


class NominationActionsField(AvailableTransitionsField):
    """As everywhere, plus: HR's `grant` / `not_grant` are offered once endorsed."""

    def to_representation(self, instance) -> list[str]:
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return []
        return selectors.nomination_actions(nomination=instance, user=user)


class NominationSerializer(serializers.ModelSerializer):
    nominee = VisibleRelatedField(visible=people_visible_to, model=User)
    # Evidence goes to the service as ids: it refuses, by id, anything that is not the
    # nominee's own work the nominator may see, with one message whether the id names
    # something hidden or nothing at all.
    proposals = EvidenceIdsField(required=False)
    learnings = EvidenceIdsField(required=False)
    recognitions = EvidenceIdsField(required=False)
    available_transitions = NominationActionsField()

    class Meta:
        model = Nomination
        fields = [
            "id", "nominee", "nominated_by", "justification", "evidence_links", "proposals",
            "learnings", "recognitions", "state", "decision_reason", "created_at",
            "available_transitions",
        ]
        read_only_fields = ["nominated_by", "state", "decision_reason", "created_at"]


class NominationDetailSerializer(NominationSerializer):
    history = serializers.SerializerMethodField()

    class Meta(NominationSerializer.Meta):
        fields = [*NominationSerializer.Meta.fields, "history"]

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, nomination) -> list[dict]:
        return history_data(nomination, self.context)


class NominationViewSet(TransitionViewSetMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Fast-track nominations: `nominated` → `endorsed` (fund manager) → `granted` /
    `not_granted` (HR officer, `reason` required), or `withdrawn` by the nominator."""

    transitions = services.NOMINATION_TRANSITIONS
    filterset_class = NominationFilter
    # Refusals that say who may act instead (the nominee, nominator and endorser are three
    # different people, and none of them endorses or decides that nomination).
    refusals = {"endorse": endorse_refusal, "grant": decision_refusal,
                "not_grant": decision_refusal}

    def check_transition(self, name, instance):
        from workflow.services import transition_allowed_in_state

        refusal = self.refusals.get(name)
        if refusal is not None and transition_allowed_in_state(instance, name):
            reason = refusal(instance, self.request.user)
            if reason:
                raise DRFPermissionDenied(reason)
        super().check_transition(name, instance)

    def get_serializer_class(self):
        if self.action == "list" or self.action == "create":
            return NominationSerializer
        return NominationDetailSerializer

    def get_queryset(self):
        return selectors.nomination_list(viewer=self.request.user).prefetch_related(
            "proposals", "learnings", "recognitions"
        )

    def perform_create(self, serializer):
        serializer.instance = services.nomination_create(
            actor=self.request.user, **serializer.validated_data
        )


# --- the innovation record and its dossier ------------------------------------------------------------
def _person_for(request, pk) -> User:
    person = get_object_or_404(User.objects.select_related("agency"), pk=pk, is_active=True)
    if not can_view_record(request.user, person):
        raise DRFPermissionDenied(_("Only the person, fund managers and HR officers see this record."))
    return person


def record_as_data(record: selectors.InnovationRecord) -> dict:
    """The record as JSON: the same facts as the page and the dossier; no review scores."""
    person = record.person

    def money(value):
        return None if value is None else f"{value:.2f}"

    return {
        "person": {
            "id": person.pk, "username": person.username, "name": person.get_full_name(),
            "agency": person.agency.code if person.agency_id else None,
            "position_title": person.position_title, "position_level": person.position_level,
        },
        "proposals": [
            {
                "id": e.proposal.pk, "title": e.proposal.title, "state": e.proposal.state,
                "role": e.role, "round": e.proposal.round.title,
                "award": None if e.award is None else {
                    "id": e.award.pk, "amount": money(e.award.amount), "state": e.award.state,
                },
                "outcome": None if e.outcome is None else {
                    "result": e.outcome.result, "label": e.outcome_label,
                    "next_step": e.outcome.next_step,
                },
                "learnings_shared": e.learnings_shared,
            }
            for e in record.proposals
        ],
        "awards_total": money(record.awards_total),
        "learnings": [
            {"id": lr.pk, "title": lr.title, "kind": lr.kind, "visibility": lr.visibility,
             "proposal": lr.proposal_id if lr.proposal_shown else None,
             "published_at": lr.published_at.isoformat()}
            for lr in record.learnings
        ],
        "reviews_completed": {
            "count": record.reviews_completed,
            "rounds": [{"id": r.round_id, "title": r.title, "count": r.count}
                       for r in record.review_rounds],
        },
        "recognitions": [
            {"id": r.pk, "kind": r.kind, "citation": r.citation,
             "awarded_on": r.awarded_on.isoformat(), "awarded_by": str(r.awarded_by)}
            for r in record.recognitions
        ],
        "nominations": [
            {"id": e.nomination.pk, "state": e.nomination.state,
             "nominated_by": str(e.nomination.nominated_by),
             "created_at": e.nomination.created_at.isoformat(),
             "decision_reason": e.nomination.decision_reason,
             "history": TransitionLogSerializer(e.history, many=True).data}
            for e in record.nominations
        ],
    }


class InnovationRecordView(APIView):
    """A civil servant's innovation record: the person, fund managers and HR officers only."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        person = _person_for(request, pk)
        record = selectors.innovation_record(person=person, viewer=request.user)
        return Response(record_as_data(record))


class DossierView(APIView):
    """The innovation record as a PDF dossier, for those who may see the record."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        person = _person_for(request, pk)
        pdf = render_dossier(selectors.innovation_record(person=person))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{dossier_filename(person)}"'
        return response


router = SimpleRouter()
router.register("learnings", LearningViewSet, basename="learning")
router.register("recognitions", RecognitionViewSet, basename="recognition")
router.register("nominations", NominationViewSet, basename="nomination")

urlpatterns = [
    path("people/<int:pk>/innovation-record/", InnovationRecordView.as_view(),
         name="person-innovation-record"),
    path("people/<int:pk>/dossier.pdf", DossierView.as_view(), name="person-dossier"),
    *router.urls,
]
