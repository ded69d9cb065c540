"""/api/v1/analytics/<figure>/ (fund managers) and /api/v1/analytics/public/<figure>/ (anyone):
the figures of the analytics pages as JSON, with the same filters. An impossible filter is a
400 with `{"field": ["message"]}`."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .figures import FIGURES, PUBLIC_FIGURES, build
from .filters import AnalyticsFilter
from .selectors import may_view_analytics
from .views import figure_json

FILTERS = [
    OpenApiParameter("fund", OpenApiTypes.INT, description="A fund's id."),
    OpenApiParameter("round", OpenApiTypes.INT, description="A round's id (of the fund, if "
                                                            "one is given)."),
    OpenApiParameter("year", OpenApiTypes.INT, description="Shorthand for year_from = year_to."),
    OpenApiParameter("year_from", OpenApiTypes.INT,
                     description="First year a round opens (2000–2100)."),
    OpenApiParameter("year_to", OpenApiTypes.INT,
                     description="Last year a round opens, not before year_from."),
    OpenApiParameter("agency", OpenApiTypes.INT,
                     description="An agency's id: proposals it leads or partners in."),
]


class FigureSerializer(serializers.Serializer):
    figure = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField()
    filters = serializers.DictField(help_text="The filters applied (ids and years).")
    summary = serializers.DictField(help_text="The figure's headline numbers.")
    tables = serializers.DictField(help_text="Each table by key: caption, columns, rows (one "
                                             "object a row, keyed by column). Money is a "
                                             "decimal string; a suppressed public cell is null.")
    notes = serializers.ListField(child=serializers.CharField())
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="When the figure was computed: for this request, kept for a "
                                   "few minutes, or, without filters, in the background.")
    stored = serializers.BooleanField(
        help_text="True: the figure was computed in the background (without filters, every few "
                  "minutes) and is as of `as_of`, not of this request.")


class IsFundManager(permissions.BasePermission):
    message = gettext_lazy("Only fund managers see the fund's analytics; the public figures are "
                           "at /api/v1/analytics/public/.")

    def has_permission(self, request, view):
        return may_view_analytics(request.user)


class _FigureView(APIView):
    key = ""
    public = False

    def get(self, request):
        form = AnalyticsFilter(request.query_params, public=self.public)
        if not form.is_valid():
            return Response({field: [e["message"] for e in errors]
                             for field, errors in form.errors.get_json_data().items()},
                            status=400)
        chosen = form.chosen()
        figure = build(self.key, viewer=request.user, chosen=chosen, public=self.public)
        return Response(figure_json(figure, chosen))


def _view(key: str, public: bool):
    where = "public" if public else "fund managers'"
    doc = extend_schema(
        operation_id=f"analytics_{'public_' if public else ''}{key}",
        summary=f"{FIGURES[key]} ({where})", parameters=FILTERS,
        responses={200: FigureSerializer}, tags=["analytics"],
        description=("Aggregates only; counts from 1 to 4 suppressed (null), every other "
                     "count slightly perturbed (the same for the same proposals) and rounded "
                     "to a multiple of 5 (analytics/public.py)." if public else
                     "For fund managers: never a draft, nothing of a proposal's review the "
                     "viewer has a conflict of interest with."))
    attrs = {"key": key, "public": public,
             "permission_classes": [permissions.AllowAny] if public else
             [permissions.IsAuthenticated, IsFundManager]}
    cls = type(f"Analytics{'Public' if public else ''}{key.capitalize()}View", (_FigureView,), attrs)
    # on the method, not the class: an operation id names one operation (its GET), and
    # extend_schema_view gives each class its own copy of the inherited `get` to carry it
    return extend_schema_view(get=doc)(cls).as_view()


urlpatterns = [
    *[path(f"analytics/{key}/", _view(key, False), name=f"api-analytics-{key}")
      for key in FIGURES],
    *[path(f"analytics/public/{key}/", _view(key, True), name=f"api-analytics-public-{key}")
      for key in PUBLIC_FIGURES],
]
