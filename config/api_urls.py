"""/api/v1/: each app's API module contributes its routes."""

from django.urls import include, path

from people.token_api import TokenView
from people.token_list_api import ApiTokenListView, ApiTokenRevokeView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", ApiTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path("", include("people.api")),
    path("", include("fund.api")),
    path("", include("proposals.api")),
    path("", include("reviews.api")),
    path("", include("reviews.rubric_api")),
    path("", include("reviews.chair_api")),
    path("", include("jobs.api")),
    path("", include("fund.award_api")),
    path("", include("documents.api")),
    path("", include("notifications.api")),
    path("", include("rewards.api")),
    path("", include("proposals.team_api")),
    path("", include("rewards.author_api")),
    path("", include("analytics.api")),
    path("", include("search.api")),
]
