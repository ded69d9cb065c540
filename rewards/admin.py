from django.contrib import admin
from django.utils.translation import gettext_lazy

from datafiles.admin_mixins import DataExportAdminMixin
from workflow.evidence import EvidenceAdmin
from workflow.services import history

from .models import Learning, LearningAuthor, Nomination, Recognition, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class LearningAuthorInline(admin.TabularInline):
    """Authors by consent: invited, accepted, declined, left or removed, read here and changed
    only through the services (the learning's page and the API), never deleted."""

    model = LearningAuthor
    fields = ["user", "state", "invited_at", "accepted_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Learning)
class LearningAdmin(EvidenceAdmin, DataExportAdminMixin, admin.ModelAdmin):
    data_export_kind = "learnings"
    list_display = ["title", "kind", "visibility", "proposal", "published_at"]
    list_filter = ["kind", "visibility", "tags"]
    search_fields = ["title", "what_we_tried", "what_happened", "what_we_learned"]
    autocomplete_fields = ["tags"]
    raw_id_fields = ["proposal", "created_by"]
    list_select_related = ["proposal"]
    inlines = [LearningAuthorInline]


@admin.register(Recognition)
class RecognitionAdmin(EvidenceAdmin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "awarded_by", "awarded_on"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "recipient__last_name", "citation"]
    raw_id_fields = ["recipient", "awarded_by", "proposals", "learnings"]
    list_select_related = ["recipient", "awarded_by"]


@admin.register(Nomination)
class NominationAdmin(EvidenceAdmin, admin.ModelAdmin):
    """State changes only through the services (the log); here the state is read-only."""

    list_display = ["nominee", "nominated_by", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["nominee__username", "nominee__last_name", "justification"]
    raw_id_fields = ["nominee", "nominated_by", "proposals", "learnings", "recognitions"]
    readonly_fields = ["state", "endorsed_by", "decision_reason", "created_at",
                       "transition_history"]
    list_select_related = ["nominee", "nominated_by"]

    @admin.display(description=gettext_lazy("History"))
    def transition_history(self, obj):
        if obj.pk is None:
            return "–"
        return "; ".join(
            f"{log.at:%d %b %Y %H:%M} {log.transition} {log.from_state}→{log.to_state}"
            f" by {log.actor or 'system'}" for log in history(obj)
        ) or "–"
