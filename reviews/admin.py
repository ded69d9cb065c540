"""The admin obeys the same rules: panels and assignments are checked by the services' rules
(panel_problems, assignment_problems), reviews are read-only (only reviewers write them), and state changes only by transition."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from datafiles.admin_mixins import DataExportAdminMixin
from workflow.admin import ReadOnlyAdmin
from workflow.evidence import EvidenceAdmin

from .models import (
    Assignment,
    Criterion,
    Panel,
    PanelStandIn,
    Review,
    RoundCalibration,
    Score,
)
from .services import assignment_problems, panel_problems


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "round", "weight", "max_score", "position"]
    list_filter = ["round"]
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and Review.objects.filter(
            assignment__proposal__round=obj.round_id, assignment__state=Assignment.State.SUBMITTED
        ).exists():
            return False  # the rubric is fixed once a review is submitted
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission


class PanelAdminForm(forms.ModelForm):
    """The admin may not seat whom panel_create and panel_update would refuse."""

    class Meta:
        model = Panel
        fields = ["round", "name", "chair", "deputy_chair", "members"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("round") is None or "members" not in cleaned:
            return cleaned  # the field errors already say what is wrong
        panel = self.instance if self.instance.pk else None
        errors = panel_problems(panel=panel, round_=cleaned["round"], chair=cleaned.get("chair"),
                                members=cleaned["members"],
                                deputy_chair=cleaned.get("deputy_chair"), deputy_given=True)
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(Panel)
class PanelAdmin(EvidenceAdmin, admin.ModelAdmin):
    form = PanelAdminForm
    list_display = ["name", "round", "chair"]
    list_filter = ["round"]
    filter_horizontal = ["members"]
    raw_id_fields = ["chair", "deputy_chair"]


@admin.register(PanelStandIn)
class PanelStandInAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Stand-ins are named by fund managers on the pages or the API (the rules live in
    `panel_stand_in_name`); the admin shows who was named, by whom and when."""

    list_display = ["proposal", "chair", "panel", "named_by", "named_at"]
    list_filter = ["panel__round"]
    readonly_fields = ["panel", "proposal", "chair", "named_by", "named_at"]


@admin.register(RoundCalibration)
class RoundCalibrationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """A round's calibration as reviews/calibration.py last computed it (kept current by
    `calibrate_round` whenever a counted review changes): read only, for administrators
    checking a ranking. It holds no proposal's scores, only the round's figures and the
    reviewers flagged as far from their peers."""

    list_display = ["round", "alpha", "review_count", "reviewer_count", "flagged_count"]
    list_select_related = ["round"]
    readonly_fields = ["round", "round_mean", "pooled_sd", "alpha", "review_count",
                       "reviewer_count", "flagged"]

    @admin.display(description=gettext_lazy("Reviewers flagged"))
    def flagged_count(self, obj) -> int:
        return len(obj.flagged or [])


class AssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["proposal", "reviewer", "panel", "due_on"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and all(cleaned.get(k) for k in ("proposal", "reviewer",
                                                                     "panel")):
            errors = assignment_problems(
                actor=self.request_user, proposal=cleaned["proposal"],
                reviewer=cleaned["reviewer"], panel=cleaned["panel"], due_on=cleaned.get("due_on"),
            )
            if errors:
                raise ValidationError(errors)
        return cleaned


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "value"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(EvidenceAdmin, admin.ModelAdmin):
    form = AssignmentAdminForm
    list_display = ["proposal", "reviewer", "panel", "due_on", "state"]
    list_filter = ["state", "panel__round"]
    raw_id_fields = ["proposal", "reviewer"]
    readonly_fields = ["state", "conflict_reason", "assigned_by"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # who reviews what is fixed once made
            return [*self.readonly_fields, "proposal", "reviewer", "panel"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Review)
class ReviewAdmin(EvidenceAdmin, DataExportAdminMixin, admin.ModelAdmin):
    # Submitted reviews only, never `comment_to_panel`, never across a conflict of interest.
    data_export_kind = "reviews"
    list_display = ["assignment", "weighted_score", "recommendation", "submitted_at"]
    inlines = [ScoreInline]
    readonly_fields = ["assignment", "comment_to_applicant", "comment_to_panel",
                       "recommendation", "weighted_score", "submitted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
