"""The API's errors: the service layer's exceptions mapped to the status codes of API.md.

settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] names `exception_handler`."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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
        return Response({"detail": _("No transition named “%(name)s”.") % {"name": exc}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ObjectDoesNotExist):  # e.g. a service re-reading a row that went away
        exc = Http404()
    if isinstance(exc, OverflowError):  # an id too large for the database's integers
        exc = Http404()
    return drf_exception_handler(exc, context)
