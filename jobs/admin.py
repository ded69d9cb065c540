from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are started from the pages and moved by the product."""

    list_display = ("title", "kind", "owner", "state", "created_at", "finished_at")
    list_filter = ("kind", "state")
    search_fields = ("title", "owner__username", "error")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
