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
