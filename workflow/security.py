"""Response hardening that holds on every page and API answer.

- `NoStoreMiddleware`: what a signed-in person sees, and every `/api/` answer, is sent with
  `Cache-Control: no-store`, so no browser, proxy or shared computer keeps a copy. A view that
  sets its own Cache-Control keeps it; static files (served by WhiteNoise before this
  middleware runs) and anonymous public pages keep theirs.
- `SchemaAccess` and `SchemaDocsView`: the OpenAPI schema and its docs page are for signed-in
  people unless `API_SCHEMA_PUBLIC` is on; an anonymous visitor of the docs page is sent to
  sign in, an anonymous schema request is answered 401. The docs page loads its start-up
  script from `?script` (drf-spectacular's split view) rather than inline, so it runs under
  the site's Content-Security-Policy (script-src 'self'); its template has no inline style
  (templates/drf_spectacular/swagger_ui.html).
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, permissions


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
        return response


class SchemaAccess(permissions.BasePermission):
    """Signed-in people only, unless settings.API_SCHEMA_PUBLIC (read on every request)."""

    def has_permission(self, request, view):
        return bool(getattr(settings, "API_SCHEMA_PUBLIC", False)
                    or (request.user and request.user.is_authenticated))


class SchemaView(SpectacularAPIView):
    permission_classes = [SchemaAccess]


class SchemaDocsView(SpectacularSwaggerSplitView):
    permission_classes = [SchemaAccess]

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
