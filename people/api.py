"""The people part of the JSON API (see API.md): agencies and civil servants."""

from django_filters import rest_framework as filters
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.routers import SimpleRouter

from api_common.permissions import IsSuperuserOrReadOnly, NoWritesByHROfficers

from .models import (
    Agency,
    User,
    agencies_with_code,
    agency_code_taken_message,
    normalise_agency_code,
)
from .selectors import people_list


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind", "is_active"]

    def validate_code(self, value: str) -> str:
        """Stored upper-case; unique without regard to case, naming the agency that has it."""
        code = normalise_agency_code(value)
        existing = agencies_with_code(
            code, exclude_pk=self.instance.pk if self.instance else None
        ).first()
        if existing is not None:
            raise serializers.ValidationError(agency_code_taken_message(existing), code="unique")
        return code


class AgencyFilter(filters.FilterSet):
    class Meta:
        model = Agency
        fields = ["kind", "is_active"]


class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agencies: every signed-in user reads them; administrators add and change them."""

    queryset = Agency.objects.order_by("name", "id")
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    permission_classes = [permissions.IsAuthenticated, IsSuperuserOrReadOnly, NoWritesByHROfficers]


class CivilServantSerializer(serializers.ModelSerializer):
    """What any signed-in colleague may know of a civil servant."""

    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "agency", "position_title"]
        read_only_fields = fields


class CivilServantFilter(filters.FilterSet):
    agency = filters.ModelChoiceFilter(queryset=Agency.objects.all())

    class Meta:
        model = User
        fields = ["agency"]


class CivilServantViewSet(viewsets.ReadOnlyModelViewSet):
    """Active civil servants, with the fields colleagues may see."""

    serializer_class = CivilServantSerializer
    filterset_class = CivilServantFilter

    def get_queryset(self):
        return people_list().order_by("last_name", "first_name", "username", "id")


router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("people", CivilServantViewSet, basename="person")

urlpatterns = router.urls
