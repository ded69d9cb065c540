"""GET /api/v1/auth/tokens/ and DELETE /api/v1/auth/tokens/<id>/: the signed-in person's API
tokens, listed and revoked by their owner (people/tokens.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from people.models import ApiToken
from people.tokens import expires_at, token_revoke, tokens_of


class ApiTokenSerializer(serializers.ModelSerializer):
    expires_at = serializers.SerializerMethodField(
        help_text="When the token is refused unless used before: its idle limit counted from "
        "its last use, or its maximum age, whichever comes first.")
    current = serializers.SerializerMethodField(
        help_text="True for the token this request was sent with.")

    class Meta:
        model = ApiToken
        fields = ["id", "starts_with", "created", "last_used_at", "expires_at", "current"]
        extra_kwargs = {
            "starts_with": {"help_text": "The key's first characters, to tell tokens apart."},
            "last_used_at": {"help_text": "Recorded at most once a minute; null when not used "
                             "since its first minute."},
        }

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_expires_at(self, token):
        return serializers.DateTimeField().to_representation(expires_at(token))

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_current(self, token):
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class ApiTokenListView(generics.ListAPIView):
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return tokens_of(user=self.request.user, request=self.request)

    @extend_schema(tags=["auth"], operation_id="auth_tokens_list")
    def get(self, request, *args, **kwargs):
        """Your API tokens that still work, newest first. Never a key: a key is shown once, by
        `POST auth/token/`."""
        return super().get(request, *args, **kwargs)


class ApiTokenRevokeView(generics.GenericAPIView):
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()

    @extend_schema(
        tags=["auth"],
        operation_id="auth_tokens_destroy",
        request=None,
        responses={
            204: OpenApiResponse(description="The token is revoked: it answers 401 from now on."),
            401: OpenApiResponse(description="No valid token (or session) sent"),
            404: OpenApiResponse(description="No token of yours has this id"),
        },
    )
    def delete(self, request, pk):
        """Revoke one of your tokens (a script or device you no longer use)."""
        if not token_revoke(actor=request.user, token_id=pk, request=request):
            return Response({"detail": "You have no API token with this id (it may have been "
                             "revoked or have expired already)."},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)
