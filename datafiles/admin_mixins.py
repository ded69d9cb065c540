"""Imports and exports in the Django admin, through the same engine and rules as /data/.

`DataImportAdminMixin` adds "Import" to a changelist (agencies, civil servants,
contributions): the same once-only `TableImport`, dry run with counts and bad rows, then
confirm, with the same choice to skip bad rows (`steps.check_import` and
`steps.confirm_import`). `DataExportAdminMixin` adds "Export selected as CSV/XLSX"
actions built by `exports.export_dataset`, so the admin never exports more than the
/data/ page would. Only fund managers and administrators (`may_move_files`) see or use
either; the admin's own staff check comes first.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy

from . import steps
from .exports import may_move_files
from .kinds import IMPORTS, import_headers
from .tables import ONLY_MANAGERS_EXPORT, ONLY_MANAGERS_IMPORT


class DataImportAdminMixin:
    """Set `data_import_kind` to a key of `kinds.IMPORTS`."""

    data_import_kind = ""

    def _data_url_name(self, step: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{step}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.data_import_view), name=self._data_url_name("import")),
            path("import/confirm/", wrap(self.data_import_confirm_view),
                 name=self._data_url_name("import_confirm")),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": may_move_files(request.user),
                         "import_url": reverse(f"admin:{self._data_url_name('import')}")}
        return super().changelist_view(request, extra_context=extra_context)

    def _require(self, request) -> None:
        if not may_move_files(request.user):
            raise PermissionDenied(ONLY_MANAGERS_IMPORT)

    def _render(self, request, context: dict):
        label = IMPORTS[self.data_import_kind][0]
        return TemplateResponse(request, "admin/data_import.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": gettext("Import %(kind)s") % {"kind": label.lower()}, "label": label,
            "headers": import_headers(self.data_import_kind),
            "changelist_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
            "import_url": reverse(f"admin:{self._data_url_name('import')}"),
            "confirm_url": reverse(f"admin:{self._data_url_name('import_confirm')}"),
            **context,
        })

    def data_import_view(self, request):
        """Step 1: the dry run. Nothing is saved; the counts and bad rows are shown."""
        self._require(request)
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        form = steps.ImportFileForm(request.POST or None, request.FILES or None)
        report = pending = None
        if request.method == "POST" and form.is_valid():
            handed_over = steps.hand_large_file_to_a_job(
                request, kind=self.data_import_kind, upload=form.cleaned_data["file"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            )
            if handed_over:
                return handed_over
            try:
                report, pending = steps.check_import(
                    request, kind=self.data_import_kind, upload=form.cleaned_data["file"],
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                )
            except ValidationError as exc:
                form.add_error("file", steps.file_errors(exc))
        return self._render(request, {"form": form, "report": report, "pending": pending})

    def data_import_confirm_view(self, request):
        """Step 2: apply the file of the dry run; the engine checks every row again."""
        self._require(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            report = steps.confirm_import(request, token=request.POST.get("token", ""),
                                               kind=self.data_import_kind)
        except steps.NothingWaiting:
            messages.error(request, steps.NOTHING_WAITING)
            return redirect(f"admin:{self._data_url_name('import')}")
        (messages.success if report.applied else messages.error)(request, report.summary())
        return self._render(request, {
            "form": steps.ImportFileForm(), "report": report, "pending": None,
            "confirmed": True,
        })


class DataExportAdminMixin:
    """Set `data_export_kind` to a key of `exports.EXPORTS` whose rows are (or belong to)
    this admin's objects; `data_export_options` may switch on that export's options.
    An admin that declares its own `actions` lists these two as well."""

    data_export_kind = ""
    data_export_options: dict = {}
    actions = ["export_selected_csv", "export_selected_xlsx"]

    def has_move_files_permission(self, request) -> bool:
        return may_move_files(request.user)

    def _export(self, request, queryset, fmt: str):
        if not may_move_files(request.user):
            raise PermissionDenied(ONLY_MANAGERS_EXPORT)
        return steps.export_response(
            self.data_export_kind, fmt, viewer=request.user, selected=queryset,
            options=self.data_export_options, request=request,
        )

    @admin.action(description=gettext_lazy("Export selected as CSV"), permissions=["move_files"])
    def export_selected_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=gettext_lazy("Export selected as XLSX"),
                  permissions=["move_files"])
    def export_selected_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")
