"""API plumbing shared by every app: errors mapped to the status codes of API.md,
the permission classes that say who may try a write, and the token endpoint."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from people.throttling import lockout_response
from people.tokens import token_for
from workflow.services import TransitionStateConflict, UnknownTransition


def validation_error_body(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """Map the service layer's exceptions: condition failed 400, state 409, not allowed 403."""
    if isinstance(exc, TransitionStateConflict):
        return Response({"detail": str(exc), "state": exc.state}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UnknownTransition):
        return Response({"detail": f"No transition named “{exc}”."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ObjectDoesNotExist):  # e.g. a service re-reading a row that went away
        exc = Http404()
    if isinstance(exc, OverflowError):  # an id too large for the database's integers
        exc = Http404()
    return drf_exception_handler(exc, context)


# --- who may try a write (the services still decide, and say why) -------------------------


def _is_hr_only(user) -> bool:
    return bool(user and user.is_authenticated and user.is_hr_officer and not user.is_fund_manager)


class NoWritesByHROfficers(permissions.BasePermission):
    """HR officers read; they change nothing through these endpoints."""

    message = "HR officers may read but not change this."

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or not _is_hr_only(request.user)


class IsFundManagerOrReadOnly(permissions.BasePermission):
    message = "Only fund managers may do this."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_fund_manager)


class IsSuperuserOrReadOnly(permissions.BasePermission):
    message = "Only administrators may do this."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_active and request.user.is_superuser)


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
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Username or password missing: `{\"<field>\": [...]}`"),
            401: OpenApiResponse(
                description="Wrong username or password (or the account is inactive): "
                "`{\"detail\": ...}`, with `WWW-Authenticate`"
            ),
            429: OpenApiResponse(
                description="Too many failed attempts for this account or from this address: "
                "`{\"detail\": \"... Try again after HH:MM.\"}`, with `Retry-After` (seconds)"
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        # The serializer asks authenticate() with this request (its context), so the
        # sign-in throttling (django-axes, people/throttling.py) counts every failure here.
        serializer = self.get_serializer(data=request.data)
        if serializer.is_valid():
            return Response({"token": token_for(serializer.validated_data["user"]).key})
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        if set(serializer.errors) == {"non_field_errors"}:
            return Response(
                {"detail": "Unable to sign in with the username and password given."},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'Token realm="api"'},
            )
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)

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
        if not isinstance(request.auth, Token):
            return Response(
                {"detail": "This request carries no API token to revoke; send it as "
                 "`Authorization: Token <key>`."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
