"""/api/v1/: each app's API module contributes its routes."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("people.api")),
    path("", include("fund.api")),
    path("", include("proposals.api")),
    path("", include("reviews.api")),
    path("", include("fund.award_api")),
    path("", include("notifications.api")),
    path("", include("rewards.api")),
]
