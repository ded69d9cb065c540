"""`team-members/`: team membership by consent in the JSON API (API.md, DOMAIN.md "Consent").

Each person reads their own invitations and memberships, and a lead every row of the
proposals they lead; nothing else (another row is a 404). The lead invites with
`POST {proposal, user, role}` (or through the proposal's nested `team`); the invited person
accepts or declines, an accepted member leaves, the lead removes, each at
`team-members/<id>/transitions/<name>/`. Everything goes through
`proposals.services.team`, which the pages call too.
"""

from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from people.models import User
from workflow.api import TransitionViewSetMixin, state_field
from workflow.bounds import visible_text

from .models import TeamMember
from .selectors import proposals_visible_to, team_members_visible_to
from .services.team import TEAM_MEMBER_TRANSITIONS, team_actions, team_invite


@extend_schema_field(serializers.ListField(
    child=serializers.CharField(),
    help_text="Transitions the requesting user may run now (POST .../transitions/<name>/).",
))
class TeamActionsField(serializers.Field):
    """The transitions the requesting user may run on the row now (`team_actions`: the
    lead's only while the team may still change)."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, member) -> list[str]:
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return []
        return team_actions(member, user)


class TeamMembershipSerializer(serializers.ModelSerializer):
    """A person named on a proposal's team, with the state of their consent."""

    state = state_field(TeamMember)
    available_transitions = TeamActionsField()

    class Meta:
        model = TeamMember
        fields = ["id", "proposal", "user", "role", "state", "invited_at", "accepted_at",
                  "available_transitions"]
        read_only_fields = fields


class TeamInvitationSerializer(serializers.Serializer):
    """The lead invites a colleague: `{proposal, user, role}`."""

    proposal = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                        help_text="A proposal you lead.")
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="The colleague you invite.",
    )
    role = serializers.CharField(max_length=200, allow_blank=True, required=False, default="",
                                 validators=[visible_text])


class TeamMemberFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=TeamMember.State.choices)
    proposal = filters.NumberFilter(field_name="proposal_id", min_value=1,
                                    max_value=2**63 - 1, label="Proposal id")

    class Meta:
        model = TeamMember
        fields = ["state", "proposal"]


class TeamMemberViewSet(TransitionViewSetMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Your invitations and memberships, and the rows of the proposals you lead.
    Transitions: `accept`, `decline` (the invited person), `leave` (an accepted member),
    `remove` (the lead, while the proposal is a draft or a revision is requested)."""

    permission_classes = [IsAuthenticated]
    filterset_class = TeamMemberFilter
    transitions = TEAM_MEMBER_TRANSITIONS
    transition_object_param = "member"

    def get_queryset(self):
        return (
            team_members_visible_to(self.request.user)
            .select_related("proposal", "user")
            .order_by("-invited_at", "-id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return TeamInvitationSerializer
        return TeamMembershipSerializer

    @extend_schema(request=TeamInvitationSerializer, responses={201: TeamMembershipSerializer})
    def create(self, request, *args, **kwargs):
        serializer = TeamInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        proposal = proposals_visible_to(request.user).filter(pk=data["proposal"]).first()
        if proposal is None:
            raise NotFound(gettext("No such proposal."))
        member = team_invite(actor=request.user, proposal=proposal, user=data["user"],
                             role=data.get("role", ""))
        member = self.get_queryset().get(pk=member.pk)
        body = TeamMembershipSerializer(member, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("team-members", TeamMemberViewSet, basename="team-member")

urlpatterns = router.urls
