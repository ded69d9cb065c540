"""`/api/v1/awards/360giving.json`: the awards the requester may see, as a 360Giving package."""

from django.http import StreamingHttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from proposals.selectors import proposals_visible_to

from . import giving360
from .models import Award


def awards_visible_to(user):
    """The awards published as grants: those `user` may see (whoever may see the proposal),
    except cancelled ones, which were never made."""
    return (
        Award.objects.filter(proposal__in=proposals_visible_to(user))
        .exclude(state=Award.State.CANCELLED)
        .select_related("proposal__round__fund", "proposal__lead__agency")
        .order_by("approved_at", "id")
    )


class ThreeSixtyGivingPackage(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        summary="Awards as a 360Giving data package",
    )
    def get(self, request):
        # Streamed a grant at a time from one query: constant memory whatever their number.
        response = StreamingHttpResponse(
            giving360.package_chunks(awards_visible_to(request.user), "json"),
            content_type=giving360.CONTENT_TYPES["json"],
        )
        response["Content-Disposition"] = 'inline; filename="360giving.json"'
        return response


urlpatterns = [
    path("awards/360giving.json", ThreeSixtyGivingPackage.as_view(), name="awards-360giving"),
]
