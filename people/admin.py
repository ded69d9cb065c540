from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from workflow.data_admin import DataExportAdminMixin, DataImportAdminMixin

from . import services
from .models import Agency, User


@admin.register(Agency)
class AgencyAdmin(DataImportAdminMixin, DataExportAdminMixin, admin.ModelAdmin):
    data_import_kind = data_export_kind = "agencies"
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(DataImportAdminMixin, DataExportAdminMixin, BaseUserAdmin):
    # Civil servants in and out by `employee_id`; users without one are not in the HR file.
    data_import_kind = data_export_kind = "civil-servants"
    list_display = ["username", "first_name", "last_name", "agency", "employee_id", "position_level"]
    list_filter = ["agency", "groups", "is_active", "position_level"]
    search_fields = ["username", "first_name", "last_name", "email", "employee_id"]
    list_select_related = ["agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Civil service", {"fields": ("agency", "employee_id", "position_title", "position_level")}),
    )

    actions = [*DataExportAdminMixin.actions, "invite_people"]

    def has_invite_permission(self, request) -> bool:
        return services.may_invite_people(request.user)

    @admin.action(description="Invite the selected people (email a link to set their password)",
                  permissions=["invite"])
    def invite_people(self, request, queryset):
        result = services.invite_people(actor=request.user, users=queryset.order_by("pk"))
        self.message_user(request, result.summary(),
                          messages.SUCCESS if result.sent else messages.WARNING)
