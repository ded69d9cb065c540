"""The security log in the admin: superusers read, filter, search and export it; nobody adds,
changes or deletes a row."""

import csv
import io
import tempfile

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.signals import post_export

from .models import SecurityEvent
from .resources import SecurityEventResource


@admin.register(SecurityEvent)
class SecurityEventAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [SecurityEventResource]
    formats = [CSV, XLSX]
    # Every column, always: the field picker's page carries inline script and styles, which
    # the Content-Security-Policy refuses.
    export_form_class = ExportForm
    list_display = ["at", "kind", "actor_username", "subject_username", "username", "ip_address",
                    "detail"]
    list_filter = ["kind", "at"]
    date_hierarchy = "at"
    search_fields = ["username", "actor_username", "subject_username", "detail", "ip_address"]
    search_help_text = "Search by username (typed, actor or subject), address or detail."
    fields = ["at", "kind", "actor", "actor_username", "subject", "subject_username", "username",
              "ip_address", "detail"]
    readonly_fields = fields
    list_select_related = False
    show_full_result_count = False
    actions = None

    # Only superusers: the log says who holds power, and who tried to get in.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    # The export is streamed: rows read in chunks from one query (a server-side cursor on
    # PostgreSQL), CSV sent as it is written, XLSX written in write-only mode to a temporary
    # file; memory stays flat however long the log. Cells as the resource renders them.
    EXPORT_CHUNK_ROWS = 2000

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource = SecurityEventResource()
        fields_ = resource.get_export_fields()
        headers = resource.get_export_headers()
        rows = ([resource.export_field(f, event) for f in fields_]
                for event in queryset.iterator(chunk_size=self.EXPORT_CHUNK_ROWS))
        if isinstance(file_format, XLSX):
            response = FileResponse(_xlsx_file(headers, rows),
                                    content_type=file_format.get_content_type())
        else:
            response = StreamingHttpResponse(_csv_chunks(headers, rows),
                                             content_type=file_format.get_content_type())
        filename = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        post_export.send(sender=None, model=self.model)
        return response

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _csv_chunks(headers, rows, flush_every: int = 500):
    """UTF-8 with a BOM, like every export (datafiles/cells.py), so that Excel reads a name
    or a username typed in Dzongkha as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    encoding = "utf-8-sig"  # the BOM, once, at the start
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % flush_every == 0:
            yield out.getvalue().encode(encoding)
            encoding = "utf-8"
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode(encoding)


def _xlsx_file(headers, rows):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Security events")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value if value != "" else None)
            if isinstance(value, str) and value:
                cell.data_type = "s"  # never a formula (the resource neutralised them)
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle


# --- axes' sign-in records: part of the sign-in history, so superusers only -----------------
# django-axes' own admin shows every sign-in and failure (username, address, browser) to any
# staff member with its view permission. Here only superusers see its pages; they unlock by
# deleting Access attempts (README "Sign-in throttling"); the two logs are read-only.
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin  # noqa: E402
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class SuperusersOnly:
    may_delete = False

    def has_module_permission(self, request):
        return _superuser(request)

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.may_delete and _superuser(request)


class SuperusersAccessAttemptAdmin(SuperusersOnly, AccessAttemptAdmin):
    may_delete = True  # deleting an attempt lifts its lock


class SuperusersAccessLogAdmin(SuperusersOnly, AccessLogAdmin):
    pass


class SuperusersAccessFailureLogAdmin(SuperusersOnly, AccessFailureLogAdmin):
    pass


for _model, _model_admin in ((AccessAttempt, SuperusersAccessAttemptAdmin),
                             (AccessLog, SuperusersAccessLogAdmin),
                             (AccessFailureLog, SuperusersAccessFailureLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)
