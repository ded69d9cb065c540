from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import TokenProxy

from datafiles.admin_mixins import DataExportAdminMixin, DataImportAdminMixin
from workflow.evidence import EvidenceAdmin

from . import services, tokens
from .models import Agency, ApiToken, User


class UserAddForm(AdminUserCreationForm):
    def clean_username(self):
        # Unique without regard to case: User.clean() refuses a taken username and names
        # the person who has it (Django's own check here would only say "already exists").
        return self.cleaned_data.get("username")


@admin.register(Agency)
class AgencyAdmin(EvidenceAdmin, DataImportAdminMixin, DataExportAdminMixin, admin.ModelAdmin):
    data_import_kind = data_export_kind = "agencies"
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    # The code is stored trimmed and upper-case and is unique without regard to case:
    # Agency.clean() refuses `moh` when MOH exists and names it.


@admin.register(User)
class UserAdmin(EvidenceAdmin, DataImportAdminMixin, DataExportAdminMixin, BaseUserAdmin):
    # Civil servants in and out by `employee_id`; users without one are not in the HR file.
    data_import_kind = data_export_kind = "civil-servants"
    list_display = ["username", "first_name", "last_name", "agency", "employee_id", "position_level"]
    list_filter = ["agency", "groups", "is_active", "position_level"]
    search_fields = ["username", "first_name", "last_name", "email", "employee_id"]
    list_select_related = ["agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Civil service", {"fields": ("agency", "employee_id", "position_title", "position_level")}),
    )

    add_form = UserAddForm
    actions = [*DataExportAdminMixin.actions, "invite_people"]

    def save_model(self, request, obj, form, change):
        # Inside the admin's transaction: a changed agency is announced (conflicts of
        # interest are recomputed), once, with this person.
        agency_was = form.initial.get("agency") if change else None
        super().save_model(request, obj, form, change)
        if change and "agency" in form.changed_data and obj.agency_id != agency_was:
            services.announce_agency_changes(people=[obj.pk], actor=request.user)

    def has_invite_permission(self, request) -> bool:
        return services.may_invite_people(request.user)

    @admin.action(description=gettext_lazy("Invite the selected people (email a link to set their password)"),
                  permissions=["invite"])
    def invite_people(self, request, queryset):
        result = services.invite_people(actor=request.user, users=queryset.order_by("pk"))
        self.message_user(request, result.summary(),
                          messages.SUCCESS if result.sent else messages.WARNING)


# --- API tokens: administrators see who holds them and revoke them (people/tokens.py) ---------
# DRF's own Token admin would show plain keys of the old one-per-person model: it is replaced.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["starts_with", "user", "created", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    readonly_fields = ["user", "starts_with", "created", "last_used_at"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # a token is made by its owner, who alone sees its key

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        tokens.revoke_tokens(obj.user, reason="admin", request=request,
                             only=ApiToken.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for user_id in set(queryset.values_list("user_id", flat=True)):
            owner = User.objects.get(pk=user_id)
            tokens.revoke_tokens(owner, reason="admin", request=request,
                                 only=queryset.filter(user_id=user_id))


# --- two-factor devices: superusers remove them, nobody sees a secret (people/otp_admin.py) ---
from . import otp_admin  # noqa: E402, F401
