"""Admin for funds, contributions, rounds, awards and tranches.

States are read-only here: a state changes only through its service (and is logged);
each object's transition log is shown read-only beneath it. Money keeps the fund's rules
here too: awards and tranches are made only by `proposal_fund` (their amounts never change
here), and a contribution is lowered, moved or removed only through the services that keep
the fund's available balance at zero or more.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from datafiles.admin_mixins import DataExportAdminMixin, DataImportAdminMixin
from workflow.evidence import EvidenceAdmin
from workflow.models import TransitionLog

from .models import Award, Contribution, Fund, Round, Tranche
from .services import contribution_check_change, contribution_update, contributions_delete
from .services.funds import CONTRIBUTION_EDITABLE


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
    """New contributions may be added here; recorded ones are corrected on their own admin
    page, where the fund's balance is checked."""

    model = Contribution
    fields = ["agency", "amount", "received_on", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]
    autocomplete_fields = ["agency"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(EvidenceAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContributionInline]


class ContributionAdminForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = list(CONTRIBUTION_EDITABLE)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            # Locks the fund's row until the admin's transaction ends (after the save).
            contribution_check_change(contribution=self.instance, fund=cleaned.get("fund"),
                                      amount=cleaned.get("amount"))
        return cleaned


@admin.action(permissions=["delete"], description=gettext_lazy("Delete selected contributions"))
def delete_selected(modeladmin, request, queryset):
    """Django's confirmation page, then the service: refused as a whole when a fund would be
    left below zero."""
    if not request.POST.get("post"):
        return django_delete_selected(modeladmin, request, queryset)
    try:
        count = contributions_delete(actor=request.user, contributions=list(queryset))
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
    else:
        modeladmin.message_user(request, f"Deleted {count} contribution(s).", messages.SUCCESS)
    return None


@admin.register(Contribution)
class ContributionAdmin(DataImportAdminMixin, DataExportAdminMixin, admin.ModelAdmin):
    data_import_kind = data_export_kind = "contributions"
    form = ContributionAdminForm
    actions = [delete_selected, "export_selected_csv", "export_selected_xlsx"]
    list_display = ["received_on", "fund", "agency", "amount", "recorded_by"]
    list_filter = ["fund", "agency"]
    list_select_related = ["fund", "agency", "recorded_by"]
    search_fields = ["agency__code", "agency__name", "note"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["agency"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            if not obj.recorded_by_id:
                obj.recorded_by = request.user
            super().save_model(request, obj, form, change)
            return
        changed = {name: form.cleaned_data[name] for name in form.changed_data
                   if name in CONTRIBUTION_EDITABLE}
        contribution_update(actor=request.user, contribution=obj, **changed)

    def delete_model(self, request, obj):
        contributions_delete(actor=request.user, contributions=[obj])

    def delete_queryset(self, request, queryset):
        contributions_delete(actor=request.user, contributions=list(queryset))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:  # rolled back by the admin's transaction
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(reverse("admin:fund_contribution_change", args=[object_id]))


class RoundAdminForm(forms.ModelForm):
    """The admin changes a round under the same rules as the pages and the API
    (`round_change_problems`): archived rounds never change, a closed round's terms stay and
    its budget only rises, no budget below what is awarded."""

    class Meta:
        model = Round
        fields = ["fund", "title", "slug", "description", "opens_at", "closes_at", "budget",
                  "max_award", "min_partner_agencies", "min_panel_agencies", "reviews_required"]

    def clean(self):
        from .services.funds import ROUND_EDITABLE, round_change_problems

        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        stored = Round.objects.get(pk=self.instance.pk)
        changed = Round.objects.get(pk=self.instance.pk)
        for name in ROUND_EDITABLE:
            if name in cleaned:
                setattr(changed, name, cleaned[name])
        errors = round_change_problems(stored=stored, changed=changed,
                                       currency=stored.fund.currency)
        if errors:
            raise ValidationError({None if k == "__all__" else k: v for k, v in errors.items()})
        return cleaned


@admin.register(Round)
class RoundAdmin(EvidenceAdmin, admin.ModelAdmin):
    form = RoundAdminForm
    list_display = ["title", "fund", "state", "opens_at", "closes_at", "budget", "max_award"]
    list_filter = ["state", "fund"]
    list_select_related = ["fund"]
    search_fields = ["title", "slug"]
    readonly_fields = ["state"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [HistoryInline]


class NoAddOrDeleteMixin:
    """Awards and tranches are made by `proposal_fund` and ended by their transitions: adding
    or deleting one here would bypass the fund's balance, the round's budget and the rule that
    tranches sum to the award."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only: who approved, when, the dates and milestones are the record of a money
        # decision; they change only through the transitions (DOMAIN.md, evidence).
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrancheInline(NoAddOrDeleteMixin, admin.TabularInline):
    model = Tranche
    fields = ["sequence", "amount", "due_on", "milestone", "state"]
    readonly_fields = ["sequence", "amount", "state"]
    extra = 0
    can_delete = False


@admin.register(Award)
class AwardAdmin(NoAddOrDeleteMixin, DataExportAdminMixin, admin.ModelAdmin):
    data_export_kind = "awards"  # one row per tranche of the selected awards
    list_display = ["proposal", "amount", "state", "approved_by", "approved_at"]
    list_filter = ["state"]
    list_select_related = ["proposal", "approved_by"]
    search_fields = ["proposal__title"]
    readonly_fields = ["proposal", "amount", "state"]
    raw_id_fields = ["approved_by"]
    inlines = [TrancheInline, HistoryInline]


@admin.register(Tranche)
class TrancheAdmin(NoAddOrDeleteMixin, admin.ModelAdmin):
    list_display = ["award", "sequence", "amount", "due_on", "state"]
    list_filter = ["state"]
    list_select_related = ["award__proposal"]
    readonly_fields = ["award", "sequence", "amount", "state"]
    inlines = [HistoryInline]
