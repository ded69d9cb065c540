from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("", include("people.urls")),
    path("funds/", include("fund.urls")),
    path("proposals/", include("proposals.urls")),
    path("reviews/", include("reviews.urls")),
    path("awards/", include("fund.award_urls")),
    path("notifications/", include("notifications.urls")),
    path("data/", include("workflow.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include("rewards.urls")),
]
