"""django-import-export resources: the headers of DOMAIN.md, for exports and the admin."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import Agency, User


class AgencyResource(resources.ModelResource):
    class Meta:
        model = Agency
        fields = ("code", "name", "kind")
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True


class CivilServantResource(resources.ModelResource):
    agency = fields.Field(
        attribute="agency", column_name="agency", widget=ForeignKeyWidget(Agency, field="code")
    )

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

    def get_queryset(self):
        return User.objects.filter(employee_id__isnull=False).select_related("agency")
