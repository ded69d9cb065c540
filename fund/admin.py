"""Admin for funds, contributions, rounds, awards and tranches.

States are read-only here: a state changes only through its service (and is logged);
each object's transition log is shown read-only beneath it.
"""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from workflow.data_admin import DataExportAdminMixin, DataImportAdminMixin
from workflow.models import TransitionLog

from .models import Award, Contribution, Fund, Round, Tranche


class HistoryInline(GenericTabularInline):
    model = TransitionLog
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ["at", "transition", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "history entry"
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContributionInline(admin.TabularInline):
    model = Contribution
    fields = ["agency", "amount", "received_on", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]
    autocomplete_fields = ["agency"]
    extra = 0


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContributionInline]


@admin.register(Contribution)
class ContributionAdmin(DataImportAdminMixin, DataExportAdminMixin, admin.ModelAdmin):
    data_import_kind = data_export_kind = "contributions"
    list_display = ["received_on", "fund", "agency", "amount", "recorded_by"]
    list_filter = ["fund", "agency"]
    list_select_related = ["fund", "agency", "recorded_by"]
    search_fields = ["agency__code", "agency__name", "note"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["agency"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        if not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "fund", "state", "opens_at", "closes_at", "budget", "max_award"]
    list_filter = ["state", "fund"]
    list_select_related = ["fund"]
    search_fields = ["title", "slug"]
    readonly_fields = ["state"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [HistoryInline]


class TrancheInline(admin.TabularInline):
    model = Tranche
    fields = ["sequence", "amount", "due_on", "milestone", "state"]
    readonly_fields = ["state"]
    extra = 0


@admin.register(Award)
class AwardAdmin(DataExportAdminMixin, admin.ModelAdmin):
    data_export_kind = "awards"  # one row per tranche of the selected awards
    list_display = ["proposal", "amount", "state", "approved_by", "approved_at"]
    list_filter = ["state"]
    list_select_related = ["proposal", "approved_by"]
    search_fields = ["proposal__title"]
    readonly_fields = ["state"]
    raw_id_fields = ["proposal", "approved_by"]
    inlines = [TrancheInline, HistoryInline]


@admin.register(Tranche)
class TrancheAdmin(admin.ModelAdmin):
    list_display = ["award", "sequence", "amount", "due_on", "state"]
    list_filter = ["state"]
    list_select_related = ["award__proposal"]
    readonly_fields = ["state"]
    raw_id_fields = ["award"]
    inlines = [HistoryInline]
