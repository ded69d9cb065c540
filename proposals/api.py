"""The proposals part of the JSON API (see API.md).

Reads go through `proposals_visible_to` (what a user may not see is a 404); writes
through the drafting services, with the budget lines, team and partner agencies
nested and written with the proposal; transitions through `PROPOSAL_TRANSITIONS`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.db.models.query import ValuesIterable
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from api_common.permissions import NoWritesByHROfficers
from api_common.quick_read import QuickReadMixin
from fund.models import MONEY, Round
from fund.selectors import rounds_visible_to
from people.models import Agency, User
from workflow.api import (
    AvailableTransitionsField,
    TransitionViewSetMixin,
    VisibleRelatedField,
    people_visible_to,
    state_field,
    visible_choices,
)
from workflow.bounds import visible_text

from . import rules, services
from .lifecycle import PROPOSAL_TRANSITIONS
from .models import Attachment, BudgetLine, Proposal, TeamMember
from .selectors import proposals_visible_to

CONTENT_FIELDS = services.CONTENT_FIELDS


# --- reading ---------------------------------------------------------------------------------


class BudgetLineSerializer(QuickReadMixin, serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=BudgetLine.Category.choices)
    description = serializers.CharField(max_length=300, allow_blank=True,
                                        validators=[visible_text])
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


class CurrentTeamSerializer(serializers.ListSerializer):
    """The team as it stands: people invited or accepted; those who declined, left or were
    removed are history (`team-members/` lists every row with its state)."""

    def to_representation(self, data):
        members = data.all() if hasattr(data, "all") else data
        current = (TeamMember.State.INVITED, TeamMember.State.ACCEPTED)
        return super().to_representation([m for m in members if m.state in current])


class TeamMemberSerializer(QuickReadMixin, serializers.ModelSerializer):
    user = VisibleRelatedField(visible=people_visible_to, model=User)
    role = serializers.CharField(max_length=200, allow_blank=True, required=False, default="",
                                 validators=[visible_text])

    class Meta:
        model = TeamMember
        fields = ["user", "role"]
        list_serializer_class = CurrentTeamSerializer


def attachment_url(attachment: Attachment) -> str | None:
    """The permission-checked download page (`proposals:attachment`), when the pages have it."""
    try:
        return reverse(
            "proposals:attachment",
            kwargs={"pk": attachment.proposal_id, "attachment_pk": attachment.pk},
        )
    except NoReverseMatch:
        return None


class AttachmentSerializer(QuickReadMixin, serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField(help_text="Download, for those who may see the proposal.")

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, attachment) -> str | None:
        url = attachment_url(attachment)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request else url


# Where a queryset may put each proposal's related rows, as lists (`Prefetch(...,
# to_attr=...)`); the serializer reads them there when a row has them, else through the
# relation (api_common/quick_read.py). The list itself is written by `listed_proposals`.
LISTED = {
    "partner_agencies": "listed_partner_agencies",
    "team": "listed_team",
    "budget_lines": "listed_budget_lines",
    "attachments": "listed_attachments",
}
# The money field `budget_total` is written with, made once (not once per row).
_MONEY_FIELD = serializers.DecimalField(**MONEY)


class ProposalSerializer(QuickReadMixin, serializers.ModelSerializer):
    """A proposal as its readers see it; `available_transitions` comes with the detail."""

    listed = LISTED

    state = state_field(Proposal)
    requested_amount = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    partner_agencies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    budget_total = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    award = serializers.SerializerMethodField(help_text="The award's id once funded.")

    class Meta:
        model = Proposal
        fields = [
            "id", "round", "lead", "state", *CONTENT_FIELDS, "partner_agencies", "team",
            "budget_lines", "budget_total", "attachments", "award", "created_at", "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_budget_total(self, proposal) -> str:
        lines = getattr(proposal, LISTED["budget_lines"], None)
        if lines is None:
            lines = proposal.budget_lines.all()
        total = sum((line.amount for line in lines), 0)
        return _MONEY_FIELD.to_representation(total)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_award(self, proposal) -> int | None:
        try:
            return proposal.award.pk
        except Proposal.award.RelatedObjectDoesNotExist:
            return None


# --- the list's rows, written without a serializer per row (issue 16) ------------------------
# `ProposalSerializer` stays what the list is documented by (the schema) and what the detail
# writes; the list's rows are the same JSON written by `listed_proposals` from plain values:
# at 100 rows a page, DRF's per-row and per-field machinery and the prefetches' model
# instances (some 700 a page) were most of the answer's time. Each value goes through the
# serializer's own field (`_ROW_FIELDS`, made once), so its format is DRF's; tested to be
# byte for byte the serializer's answer in tests/api/test_listed_proposals.py.
_ROW_FIELDS = ProposalSerializer().fields
_TEAM_FIELDS = TeamMemberSerializer().fields
_LINE_FIELDS = BudgetLineSerializer().fields
_ATTACHMENT_FIELDS = AttachmentSerializer().fields
# The proposal's own columns, in the serializer's order, and how each is written.
_PLAIN_COLUMNS = ("title", "summary", "problem", "hypothesis", "success_criteria", "approach",
                  "citizen_engagement", "expected_outcomes")


# The columns of a listed proposal (and its award's id), read as values, not model rows.
LISTED_COLUMNS = ("id", "round_id", "lead_id", "state", *_PLAIN_COLUMNS, "requested_amount",
                  "duration_months", "created_at", "updated_at", "submitted_at")


class ListedRow(dict):
    """A listed proposal's values, read as attributes too (`row.pk`, `row.updated_at`: what
    the list's paging reads of a row, api_common/pagination.py)."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self["id" if name == "pk" else name]
        except KeyError:
            raise AttributeError(name) from None


class ListedRows(ValuesIterable):
    def __iter__(self):
        for row in super().__iter__():
            yield ListedRow(row)


def listed_queryset(queryset):
    """`queryset` (of Proposal) read as `ListedRow`s: LISTED_COLUMNS and `award_pk`."""
    rows = queryset.values(*LISTED_COLUMNS, award_pk=F("award__id"))
    rows._iterable_class = ListedRows
    return rows


def _attachment_url_of(proposal_id: int, pk: int) -> str | None:
    try:
        return reverse("proposals:attachment",
                       kwargs={"pk": proposal_id, "attachment_pk": pk})
    except NoReverseMatch:
        return None


def _grouped(rows) -> dict:
    found: dict = {}
    for row in rows:
        found.setdefault(row[0], []).append(row)
    return found


def listed_proposals(proposals: list, request) -> list[dict]:
    """`ProposalSerializer(proposals, many=True, context={"request": request}).data`, the same
    JSON: the proposals' related rows read as values (four queries, as the prefetches were),
    each value written by the serializer's own field. `proposals`: `ListedRow`s
    (`listed_queryset`: no model instance is made for a row)."""
    ids = [values["id"] for values in proposals]
    if not ids:
        return []
    partners = _grouped(
        Proposal.partner_agencies.through.objects.filter(proposal_id__in=ids)
        .order_by(*(f"agency__{name}" for name in Agency._meta.ordering))
        .values_list("proposal_id", "agency_id"))
    current = (TeamMember.State.INVITED, TeamMember.State.ACCEPTED)
    team = _grouped(TeamMember.objects.filter(proposal_id__in=ids, state__in=current)
                    .order_by(*TeamMember._meta.ordering)
                    .values_list("proposal_id", "user_id", "role"))
    lines = _grouped(BudgetLine.objects.filter(proposal_id__in=ids)
                     .order_by(*BudgetLine._meta.ordering)
                     .values_list("proposal_id", "category", "description", "amount"))
    attachments = _grouped(
        Attachment.objects.filter(proposal_id__in=ids).order_by(*Attachment._meta.ordering)
        .values_list("proposal_id", "id", "original_name", "size", "content_type",
                     "uploaded_at"))
    f, t, b, a = _ROW_FIELDS, _TEAM_FIELDS, _LINE_FIELDS, _ATTACHMENT_FIELDS
    state, amount, months = f["state"], f["requested_amount"], f["duration_months"]
    created, updated, submitted = f["created_at"], f["updated_at"], f["submitted_at"]
    role, category, description, line_amount = t["role"], b["category"], b["description"], \
        b["amount"]
    a_name, a_size, a_type, a_at = (a["name"], a["size"], a["content_type"], a["uploaded_at"])
    texts = [(name, f[name]) for name in _PLAIN_COLUMNS]

    def either(field, value):
        return None if value is None else field.to_representation(value)

    def url(proposal_id, pk):
        found = _attachment_url_of(proposal_id, pk)
        return request.build_absolute_uri(found) if found and request else found

    out = []
    for values in proposals:
        pk = values["id"]
        row = {"id": pk, "round": values["round_id"], "lead": values["lead_id"],
               "state": either(state, values["state"])}
        for name, field in texts:
            row[name] = either(field, values[name])
        row["requested_amount"] = either(amount, values["requested_amount"])
        row["duration_months"] = either(months, values["duration_months"])
        row["partner_agencies"] = [agency for _, agency in partners.get(pk, ())]
        row["team"] = [{"user": user, "role": either(role, text)}
                       for _, user, text in team.get(pk, ())]
        own_lines = lines.get(pk, ())
        row["budget_lines"] = [
            {"category": either(category, kind), "description": either(description, text),
             "amount": either(line_amount, money)}
            for _, kind, text, money in own_lines]
        row["budget_total"] = _MONEY_FIELD.to_representation(
            sum((money for *_, money in own_lines), 0))
        row["attachments"] = [
            {"id": a_pk, "name": either(a_name, name), "size": either(a_size, size),
             "content_type": either(a_type, kind), "uploaded_at": either(a_at, at),
             "url": url(pk, a_pk)}
            for _, a_pk, name, size, kind, at in attachments.get(pk, ())]
        row["award"] = values["award_pk"]
        row["created_at"] = either(created, values["created_at"])
        row["updated_at"] = either(updated, values["updated_at"])
        row["submitted_at"] = either(submitted, values["submitted_at"])
        out.append(row)
    return out


class ProposalDetailSerializer(ProposalSerializer):
    available_transitions = AvailableTransitionsField(transitions=PROPOSAL_TRANSITIONS)

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "available_transitions"]
        read_only_fields = fields


# --- writing ------------------------------------------------------------------------------------


def _rounds_taking_proposals(user):
    """Rounds the user may see, past drafting (the service says when one is not open)."""
    return rounds_visible_to(user).exclude(state=Round.State.DRAFT)


class ProposalWriteSerializer(serializers.Serializer):
    """What the lead and team write; budget lines, team and partners replace the old ones."""

    round = VisibleRelatedField(
        visible=_rounds_taking_proposals, model=Round,
        help_text="Set when the proposal is created; it stays in its round.",
    )
    title = serializers.CharField(max_length=200, validators=[visible_text])
    summary = serializers.CharField(required=False, allow_blank=True)
    problem = serializers.CharField(required=False, allow_blank=True)
    hypothesis = serializers.CharField(required=False, allow_blank=True)
    success_criteria = serializers.CharField(required=False, allow_blank=True)
    approach = serializers.CharField(required=False, allow_blank=True)
    citizen_engagement = serializers.CharField(required=False, allow_blank=True)
    expected_outcomes = serializers.CharField(required=False, allow_blank=True)
    requested_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    duration_months = serializers.IntegerField(required=False, allow_null=True)
    partner_agencies = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Agency.objects.all()
    )
    team = TeamMemberSerializer(many=True, required=False)
    budget_lines = BudgetLineSerializer(many=True, required=False)


class ProposalUpdateSerializer(ProposalWriteSerializer):
    """A proposal stays in its round."""

    round = None


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, Office document, image or CSV; at most 10 MB.")


class ProposalFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Proposal.State.choices)
    round = filters.ModelChoiceFilter(queryset=visible_choices(rounds_visible_to))
    agency = filters.ModelChoiceFilter(
        field_name="lead__agency", queryset=Agency.objects.all(), label="Lead's agency"
    )

    class Meta:
        model = Proposal
        fields = ["state", "round", "agency"]


def _require_on_proposal(user, proposal: Proposal) -> None:
    """Only the lead and accepted team change a proposal (the service then checks its state;
    only the lead changes the team)."""
    if not rules.is_lead_or_team(proposal, user):
        raise PermissionDenied(_("Only the lead and team may edit this proposal."))


class ProposalViewSet(
    TransitionViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Proposals the requesting user may see: drafts by their lead and team only.

    HR officers read and change nothing (`proposals.permissions.can_draft_proposals`, the
    drafting services' rule, which the pages follow too)."""

    permission_classes = [IsAuthenticated, NoWritesByHROfficers]
    filterset_class = ProposalFilter
    transitions = PROPOSAL_TRANSITIONS
    # ?cursor= keyset paging (api_common/pagination.py), on the proposal_updated index.
    cursor_ordering = ("-updated_at", "-id")

    def get_queryset(self):
        if self.action == "list":
            # A row of the list names its round, lead and partner agencies by id alone
            # (`round_id`, `lead_id`, the agencies' ids): their rows are not read (issue 16:
            # 300 rows more for a page of 100, each built as a model instance). The rows are
            # read as values (`listed_queryset`), their related rows by `listed_proposals`.
            return listed_queryset(
                proposals_visible_to(self.request.user, built_once=True)
                .order_by("-updated_at", "-id"))
        return (
            proposals_visible_to(self.request.user)
            .select_related("round", "lead", "award")
            .prefetch_related("partner_agencies", "team", "budget_lines", "attachments")
            .order_by("-updated_at", "-id")
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ProposalSerializer
        if self.action == "create":
            return ProposalWriteSerializer
        if self.action in ("update", "partial_update"):
            return ProposalUpdateSerializer
        if self.action == "attachments":
            return AttachmentUploadSerializer
        return ProposalDetailSerializer

    def list(self, request, *args, **kwargs):
        """The page's rows as `ProposalSerializer` writes them (`listed_proposals`)."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(listed_proposals(page, request))
        return Response(listed_proposals(list(queryset), request))

    def _answer(self, proposal: Proposal, code=status.HTTP_200_OK) -> Response:
        proposal = self.get_queryset().get(pk=proposal.pk)
        data = ProposalDetailSerializer(proposal, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(request=ProposalWriteSerializer, responses={201: ProposalDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        proposal = services.proposal_create(actor=request.user, round_=fields.pop("round"), **fields)
        return self._answer(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=ProposalUpdateSerializer, responses={200: ProposalDetailSerializer})
    def update(self, request, *args, **kwargs):
        proposal = self.get_object()
        _require_on_proposal(request.user, proposal)
        serializer = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_update(
            actor=request.user, proposal=proposal, **serializer.validated_data
        )
        return self._answer(proposal)

    @extend_schema(request=ProposalUpdateSerializer, responses={200: ProposalDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def attachments(self, request, *args, **kwargs):
        """Attach a file to a proposal that its lead or team may still edit."""
        proposal = self.get_object()
        _require_on_proposal(request.user, proposal)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            actor=request.user, proposal=proposal, upload=serializer.validated_data["file"]
        )
        data = AttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")

urlpatterns = router.urls
