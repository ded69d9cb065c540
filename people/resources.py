"""django-import-export resources: the headers of DOMAIN.md, for exports and the admin.

Should one of them import, it keeps the rules of people/imports.py: an agency code is
matched upper-case (`moh` is MOH), an employee ID and an agency code without regard to
case, every instance is validated by the model (which names an existing agency or person a
row would duplicate), and people whose agency changed are announced once per import.
"""

from django.db.models.functions import Lower
from import_export import fields, resources, widgets
from import_export.widgets import ForeignKeyWidget

from .models import Agency, User, normalise_agency_code
from .services import announce_agency_changes


class AgencyCodeWidget(widgets.CharWidget):
    """An agency code as stored: trimmed and upper-case."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return normalise_agency_code(value) if value else value


class AgencyByCodeWidget(ForeignKeyWidget):
    """The agency whose code is the cell's, without regard to case."""

    def __init__(self):
        super().__init__(Agency, field="code")

    def clean(self, value, row=None, **kwargs):
        return super().clean(normalise_agency_code(value) if value else value, row, **kwargs)


class AgencyResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code", widget=AgencyCodeWidget())

    class Meta:
        model = Agency
        fields = ("code", "name", "kind")
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class CivilServantResource(resources.ModelResource):
    agency = fields.Field(attribute="agency", column_name="agency", widget=AgencyByCodeWidget())

    class Meta:
        model = User
        fields = (
            "employee_id", "username", "first_name", "last_name", "email", "agency",
            "position_title", "position_level",
        )
        export_order = fields
        import_id_fields = ("employee_id",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return User.objects.filter(employee_id__isnull=False).select_related("agency")

    # --- importing: one identity per person, and agency changes announced ----------------
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._agency_was, self._moved = {}, []

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._agency_was, self._moved = {}, []

    def get_instance(self, instance_loader, row):
        employee_id = str(row.get("employee_id") or "").strip()
        if not employee_id:
            return None
        return (User.objects.annotate(_key=Lower("employee_id"))
                .filter(_key=employee_id.lower()).first())

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        if new:
            instance.set_unusable_password()  # invited later, as people/imports.py's
        else:
            self._agency_was[instance.pk] = instance.agency_id
        return instance, new

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance.pk in self._agency_was and self._agency_was[instance.pk] != instance.agency_id:
            self._moved.append(instance.pk)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run") and not result.has_errors():
            announce_agency_changes(people=self._moved, actor=kwargs.get("user"))
