"""Who may try a write through the API (the services still decide, and say why).

The error mapping is api_common/errors.py; the token endpoint is people/token_api.py."""

from django.utils.translation import gettext_lazy
from rest_framework import permissions


def _is_hr_only(user) -> bool:
    return bool(user and user.is_authenticated and user.is_hr_officer and not user.is_fund_manager)


class NoWritesByHROfficers(permissions.BasePermission):
    """HR officers read; they change nothing through these endpoints."""

    message = gettext_lazy("HR officers may read but not change this.")

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or not _is_hr_only(request.user)


class IsFundManagerOrReadOnly(permissions.BasePermission):
    message = gettext_lazy("Only fund managers may do this.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_fund_manager)


class IsSuperuserOrReadOnly(permissions.BasePermission):
    message = gettext_lazy("Only administrators may do this.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_active and request.user.is_superuser)
