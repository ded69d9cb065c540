"""404 for an address that matches no route (settings.ROOT_URLCONF's `handler404`).

Under /api/ the answer is JSON like every other API error (`{"detail": ...}`), so a client
that gets an id or a path wrong reads the same kind of answer as for a missing object;
elsewhere it is the site's "Page not found" page (templates/404.html).
"""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy
from django.views import defaults

API_PREFIX = "/api/"
MESSAGE = gettext_lazy(
    "There is no such address in the API; the list of addresses is at /api/docs/.")


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": MESSAGE}, status=404)
    return defaults.page_not_found(request, exception)
