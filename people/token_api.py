"""POST and DELETE /api/v1/auth/token/: the API's way in (API.md, Conventions → Authentication).
Listing and revoking one's tokens by id: people/token_list_api.py."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings

from people.models import ApiToken
from people.throttling import (
    address_only,
    count_malformed,
    is_locked_out,
    lockout_response,
    malformed_credentials,
    reset_account_failures,
)
from people.tokens import token_for, token_revoke
from people.two_factor import second_step

# --- POST and DELETE auth/token/ ----------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the token to send as `Authorization: Token <key>`;
    DELETE revokes the token it is sent with."""

    authentication_classes: list = []

    def get_authenticators(self):
        # POST takes credentials only; DELETE is authenticated like every other endpoint.
        if getattr(self, "request", None) is not None and self.request.method == "DELETE":
            return [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
        return []

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        auth=[],
        request=inline_serializer(
            "TokenCredentials",
            {"username": serializers.CharField(), "password": serializers.CharField(),
             "otp": serializers.CharField(
                 required=False,
                 help_text="The code of the person's authenticator app, or one of their "
                 "recovery codes: needed where two-factor sign-in is on or required "
                 "(people/two_factor.py).")},
        ),
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Username or password missing: `{\"<field>\": [...]}`"),
            401: OpenApiResponse(
                description="Wrong username or password (or the account is inactive), or a "
                "two-factor code missing or wrong, or two-factor sign-in required but not set "
                "up: `{\"detail\": ...}` saying which, with `WWW-Authenticate`"
            ),
            429: OpenApiResponse(
                description="Too many failed attempts for this account or from this address: "
                "`{\"detail\": \"... Try again after HH:MM.\"}`, with `Retry-After` (seconds)"
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        # Credentials that could be nobody's (too long, NUL, lone surrogate) are a wrong
        # username or password, answered before any query and counted against the address.
        data = request.data if hasattr(request.data, "get") else {}
        username, password = data.get("username"), data.get("password")
        if username and password and malformed_credentials(username, password):
            credentials = address_only(request)
            if is_locked_out(request, credentials):  # the address (people/throttling.py)
                return lockout_response(request, None, credentials)
            count_malformed(request, sender=TokenView)
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            return self._wrong_credentials()
        # The serializer asks authenticate() with this request (its context), so the
        # sign-in throttling (django-axes, people/throttling.py) counts every failure here.
        serializer = self.get_serializer(data=request.data)
        if serializer.is_valid():
            user = serializer.validated_data["user"]
            # Where two-factor sign-in is on or required, a right code too (people/two_factor.py);
            # a wrong one is a failed sign-in for the throttling.
            check = second_step(request=request, user=user, code=request.data.get("otp"),
                                sender=TokenView)
            if check.ok:
                reset_account_failures(user)  # this account's count, not the address's
                return Response({"token": token_for(user).key})
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            return Response({"detail": check.api_message},
                            status=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": 'Token realm="api"'})
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        if set(serializer.errors) == {"non_field_errors"}:
            return self._wrong_credentials()
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)

    @staticmethod
    def _wrong_credentials():
        return Response(
            {"detail": "Unable to sign in with the username and password given."},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Token realm="api"'},
        )

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_destroy",
        request=None,
        responses={
            204: OpenApiResponse(description="The token sent is revoked."),
            400: OpenApiResponse(description="Signed in without a token: nothing to revoke"),
            401: OpenApiResponse(description="No valid token (or session) sent"),
        },
    )
    def delete(self, request, *args, **kwargs):
        if not isinstance(request.auth, ApiToken):
            return Response(
                {"detail": "This request carries no API token to revoke; send it as "
                 "`Authorization: Token <key>`."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token_revoke(actor=request.user, token_id=request.auth.pk, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
