"""The security log in the admin: superusers read, filter, search and export it; nobody adds,
changes or deletes a row."""

from django.contrib import admin
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm

from .models import SecurityEvent
from .resources import SecurityEventResource


@admin.register(SecurityEvent)
class SecurityEventAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [SecurityEventResource]
    formats = [CSV, XLSX]
    # Every column, always: the field picker's page carries inline script and styles, which
    # the Content-Security-Policy refuses.
    export_form_class = ExportForm
    list_display = ["at", "kind", "actor_username", "subject_username", "username", "ip_address",
                    "detail"]
    list_filter = ["kind", "at"]
    date_hierarchy = "at"
    search_fields = ["username", "actor_username", "subject_username", "detail", "ip_address"]
    search_help_text = "Search by username (typed, actor or subject), address or detail."
    fields = ["at", "kind", "actor", "actor_username", "subject", "subject_username", "username",
              "ip_address", "detail"]
    readonly_fields = fields
    list_select_related = False
    show_full_result_count = False
    actions = None

    # Only superusers: the log says who holds power, and who tried to get in.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- axes' sign-in records: part of the sign-in history, so superusers only -----------------
# django-axes' own admin shows every sign-in and failure (username, address, browser) to any
# staff member with its view permission. Here only superusers see its pages; they unlock by
# deleting Access attempts (README "Sign-in throttling"); the two logs are read-only.
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin  # noqa: E402
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class SuperusersOnly:
    may_delete = False

    def has_module_permission(self, request):
        return _superuser(request)

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.may_delete and _superuser(request)


class SuperusersAccessAttemptAdmin(SuperusersOnly, AccessAttemptAdmin):
    may_delete = True  # deleting an attempt lifts its lock


class SuperusersAccessLogAdmin(SuperusersOnly, AccessLogAdmin):
    pass


class SuperusersAccessFailureLogAdmin(SuperusersOnly, AccessFailureLogAdmin):
    pass


for _model, _model_admin in ((AccessAttempt, SuperusersAccessAttemptAdmin),
                             (AccessLog, SuperusersAccessLogAdmin),
                             (AccessFailureLog, SuperusersAccessFailureLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)
