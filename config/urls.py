from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import health
from people import language
from people import views as people_views
from people.invitations import SetPasswordRequestForm
from people.throttling import ThrottledPasswordResetView
from workflow.security import SchemaDocsView, SchemaView

urlpatterns = [
    # Probes (config/health.py): the process answers; this instance can serve (database,
    # broker, media storage, cache). JSON, no sign-in, 503 when a dependency fails.
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    # The admin's own sign-in page signs in on a password alone: it sends to /login/ instead.
    path("admin/login/", people_views.admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    # The language switcher of the layout (people/language.py): Django's set_language, which
    # also saves a signed-in person's choice. POST only; open to everyone.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SchemaDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("", include("portal.urls")),
    path("", include("people.urls")),
    path("account/", include("people.account_urls")),  # sign-in settings, API tokens
    # Setting a password, forgotten or the first one, and inviting the people an import
    # created to set theirs (people/invitations.py). Names are Django's defaults.
    # Counted per address with the sign-in failures (people/throttling.py).
    path("password/reset/", ThrottledPasswordResetView.as_view(
        form_class=SetPasswordRequestForm,
        subject_template_name="registration/password_reset_subject.txt",
    ), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("invitations/imported/", people_views.invite_imported_people,
         name="invite_imported_people"),
    path("funds/rounds/<int:round_pk>/rubric/", include("reviews.rubric_urls")),
    path("funds/", include("fund.urls")),
    path("proposals/", include("proposals.urls")),
    path("reviews/", include("reviews.urls")),
    path("awards/", include("fund.award_urls")),
    path("notifications/", include("notifications.urls")),
    path("data/", include("portal.data_urls")),
    path("jobs/", include("jobs.urls")),
    path("analytics/", include("analytics.urls")),
    path("search/", include("search.urls")),
    path("", include("rewards.urls")),
]

# An address that matches no route: JSON under /api/, the "Page not found" page elsewhere.
handler404 = "api_common.not_found.page_not_found"
