"""Admin for proposals. The state is read-only: it changes only through the services (logged),
and the proposal's history is shown beneath it. Attachments are read here, never uploaded:
uploads go through the type and size checks of `attachment_add`."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from datafiles.admin_mixins import DataExportAdminMixin
from workflow.admin import TransitionHistoryMixin
from workflow.evidence import EvidenceAdmin

from .models import Attachment, BudgetLine, Proposal, TeamMember


class TeamMemberInline(admin.TabularInline):
    """The team by consent (DOMAIN.md, "Consent"): each person's state is read here, and
    changed only through the services (the lead invites and removes, the person answers and
    leaves: the proposal's page or the API), so every change is logged. Rows are never
    deleted."""

    model = TeamMember
    fields = ["user", "role", "state", "invited_at", "accepted_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    fields = ["category", "description", "amount"]
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=gettext_lazy("File"))
    def download(self, obj):
        if obj.pk is None:
            return "–"
        url = reverse("proposals:attachment", args=[obj.proposal_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(EvidenceAdmin, DataExportAdminMixin, TransitionHistoryMixin, admin.ModelAdmin):
    data_export_kind = "proposals"
    list_display = ["title", "round", "lead", "state", "requested_amount", "submitted_at",
                    "updated_at"]
    list_filter = ["state", "round"]
    list_select_related = ["round", "lead"]
    search_fields = ["title", "summary", "lead__username", "lead__last_name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["round", "lead", "partner_agencies"]
    readonly_fields = ["state", "submitted_at", "created_at", "updated_at", "history"]
    fieldsets = [
        (None, {"fields": ["round", "lead", "title", "state"]}),
        ("The experiment", {"fields": [
            "summary", "problem", "hypothesis", "success_criteria", "approach",
            "citizen_engagement", "expected_outcomes", "requested_amount", "duration_months",
        ]}),
        ("Partners", {"fields": ["partner_agencies"]}),
        ("Record", {"fields": ["submitted_at", "created_at", "updated_at", "history"]}),
    ]
    inlines = [TeamMemberInline, BudgetLineInline, AttachmentInline]
