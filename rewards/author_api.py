"""`learning-authors/`: co-authorship of learnings by consent in the JSON API (API.md).

Each person reads the co-authorships they are named in, and the writer of a learning every
row of the learnings they wrote; nothing else (another row is a 404). The writer invites with
`POST {learning, user}` (or through the learning's `authors`); the invited person accepts or
declines, an accepted co-author leaves, the writer removes, each at
`learning-authors/<id>/transitions/<name>/`, through the services the pages call too.
"""

from django.db.models import Q
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
from workflow.services import available_transitions

from .models import LearningAuthor
from .selectors import learnings_visible_to
from .services import LEARNING_AUTHOR_TRANSITIONS, learning_author_invite


def authorships_visible_to(user):
    """Rows `user` may read: those naming them, and every row of the learnings they wrote."""
    if not (user and user.is_authenticated and user.is_active):
        return LearningAuthor.objects.none()
    return LearningAuthor.objects.filter(Q(user=user) | Q(learning__created_by=user))


@extend_schema_field(serializers.ListField(
    child=serializers.CharField(),
    help_text="Transitions the requesting user may run now (POST .../transitions/<name>/).",
))
class AuthorActionsField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, author) -> list[str]:
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return []
        return [n for n in available_transitions(author, user)
                if n in LEARNING_AUTHOR_TRANSITIONS]


class LearningAuthorSerializer(serializers.ModelSerializer):
    """A person named as an author of a learning, with the state of their consent."""

    state = state_field(LearningAuthor)
    available_transitions = AuthorActionsField()

    class Meta:
        model = LearningAuthor
        fields = ["id", "learning", "user", "state", "invited_at", "accepted_at",
                  "available_transitions"]
        read_only_fields = fields


class AuthorInvitationSerializer(serializers.Serializer):
    """The writer invites a co-author: `{learning, user}`."""

    learning = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                        help_text="A learning you wrote.")
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="The colleague you invite.",
    )


class LearningAuthorFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=LearningAuthor.State.choices)
    learning = filters.NumberFilter(field_name="learning_id", min_value=1,
                                    max_value=2**63 - 1, label="Learning id")

    class Meta:
        model = LearningAuthor
        fields = ["state", "learning"]


class LearningAuthorViewSet(TransitionViewSetMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    """Co-authorships naming you, and the rows of the learnings you wrote. Transitions:
    `accept`, `decline` (the invited person), `leave` (an accepted co-author), `remove` (the
    writer)."""

    permission_classes = [IsAuthenticated]
    filterset_class = LearningAuthorFilter
    transitions = LEARNING_AUTHOR_TRANSITIONS
    transition_object_param = "author"

    def get_queryset(self):
        return (authorships_visible_to(self.request.user)
                .select_related("learning", "user").order_by("-invited_at", "-id"))

    def get_serializer_class(self):
        if self.action == "create":
            return AuthorInvitationSerializer
        return LearningAuthorSerializer

    @extend_schema(request=AuthorInvitationSerializer, responses={201: LearningAuthorSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AuthorInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        learning = learnings_visible_to(request.user).filter(pk=data["learning"]).first()
        if learning is None:
            raise NotFound(gettext("No such learning."))
        author = learning_author_invite(actor=request.user, learning=learning, user=data["user"])
        author = self.get_queryset().get(pk=author.pk)
        body = LearningAuthorSerializer(author, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("learning-authors", LearningAuthorViewSet, basename="learning-author")

urlpatterns = router.urls
