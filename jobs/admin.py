from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are started from the pages and moved by the product."""

    list_display = ("title", "kind", "owner", "state", "created_at", "finished_at")
    list_filter = ("kind", "state")
    search_fields = ("title", "owner__username", "error")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)
    # The result file has no URL of its own (jobs/storage.py): it is shown as a link to the
    # page that serves it to those allowed, never through the storage's url().
    readonly_fields = [f.name for f in Job._meta.fields if f.name != "result"] + ["result_file"]
    exclude = ("result",)

    @admin.display(description=gettext_lazy("result"))
    def result_file(self, obj):
        if not obj.result:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("jobs:result", args=[obj.pk]),
                           obj.result_name or "Download")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
