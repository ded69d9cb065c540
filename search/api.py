"""`/api/v1/search/?q=`: the search page's results as JSON (the same selector)."""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import KINDS, MAX_LIMIT, SEARCH_LIMIT, search


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["proposal", "learning"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_highlighted = serializers.CharField(
        source="title_html",
        help_text="The title as HTML: the text escaped, the matched words in <mark>.")
    snippet_highlighted = serializers.CharField(
        source="snippet_html",
        help_text="A passage around the matches as HTML: escaped, matches in <mark>.")
    status = serializers.CharField(
        help_text="A proposal's outcome when reported, else its state; a learning's kind.")
    agencies = serializers.SerializerMethodField(
        help_text="Codes of the lead's agency, then the partner agencies.")
    lesson = serializers.CharField(help_text="What a learning says was learned; empty for a "
                                             "proposal.")
    url = serializers.CharField(
        help_text="The page of the object; empty for a register entry the requester may not "
                  "open (funded work shown to every signed-in person: title, summary, "
                  "agencies, outcome).")

    def get_agencies(self, hit) -> list[str]:
        return [a.code for a in hit.agencies]


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(source="query.text", help_text="The query as read (bounded).")
    terms = serializers.ListField(child=serializers.CharField(), source="query.terms",
                                  help_text="The words searched for (stop words left out).")
    message = serializers.CharField(
        help_text="Why nothing was searched: an empty query, or only stop words.")
    note = serializers.CharField(source="query.note",
                                 help_text="Set when the query was cut to its bounds.")
    any_word = serializers.BooleanField(
        help_text="True when nothing held every word and the results hold any of them.")
    proposals = SearchHitSerializer(many=True)
    learnings = SearchHitSerializer(many=True)


class SearchView(APIView):
    """Full-text search over the proposals and learnings the requester may see, best first,
    matches highlighted (PostgreSQL full-text search, or SQLite FTS5)."""

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", str, description="Words to search for (at most 200 "
                                                   "characters and 12 words are read)."),
            OpenApiParameter("kind", str, enum=list(KINDS),
                             description="Search proposals, learnings or both (default)."),
            OpenApiParameter("limit", int, description=f"Results of each kind, 1 to "
                                                       f"{MAX_LIMIT} (default {SEARCH_LIMIT})."),
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        kind = request.query_params.get("kind") or "all"
        if kind not in KINDS:
            raise ValidationError({"kind": [
                _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)}]})
        raw_limit = str(request.query_params.get("limit") or SEARCH_LIMIT).strip()
        # ASCII digits only, at most 4 of them after leading zeros ("٣" or 4,000 digits: 400)
        digits = raw_limit.lstrip("0") or "0"
        if not (raw_limit.isascii() and raw_limit.isdigit() and len(digits) <= 4
                and 1 <= int(digits) <= MAX_LIMIT):
            raise ValidationError({"limit": [
                _("Give a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}]})
        results = search(viewer=request.user, q=request.query_params.get("q", ""), kind=kind,
                         limit=int(digits))
        return Response(SearchResultsSerializer(results).data)


urlpatterns = [path("search/", SearchView.as_view(), name="api-search")]
