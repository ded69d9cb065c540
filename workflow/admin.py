"""The transition log in the admin: read-only, because the log is append-only.

`TransitionHistoryMixin` adds an object's history, as a read-only field, to any admin.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from .models import TransitionLog
from .services import history


class ReadOnlyAdmin:
    """Mixin for a record kept by the services (a log, a computed summary, who was named):
    the admin shows it and never adds, changes or deletes it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def history_table(obj) -> str:
    """An object's transition log as a small HTML table (oldest first)."""
    if obj is None or obj.pk is None:
        return "–"
    rows = [
        (timezone.localtime(entry.at).strftime("%d %b %Y %H:%M"), entry.transition, entry.from_state,
         entry.to_state, entry.actor or "the system", entry.note)
        for entry in history(obj)
    ]
    if not rows:
        return "No changes yet."
    return format_html(
        "<table><thead><tr><th>When</th><th>Transition</th><th>From</th><th>To</th>"
        "<th>By</th><th>Note</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        ),
    )


class TransitionHistoryMixin:
    """Add `"history"` to `readonly_fields` (and to fields or fieldsets) to show the log."""

    @admin.display(description=gettext_lazy("History"))
    def history(self, obj):
        return history_table(obj)


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "content_type", "object_id", "subject_link", "transition", "from_state",
                    "to_state", "actor"]
    list_filter = ["content_type", "transition", "to_state"]
    list_select_related = ["content_type", "actor"]
    search_fields = ["note", "transition", "actor__username"]
    date_hierarchy = "at"
    readonly_fields = ["content_type", "object_id", "subject_link", "transition", "from_state",
                       "to_state", "actor", "at", "note"]
    fields = readonly_fields

    @admin.display(description=gettext_lazy("Object"))
    def subject_link(self, obj):
        return f"{obj.content_type.model} #{obj.object_id}"
