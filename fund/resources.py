"""django-import-export resources for the fund: contributions (headers of DOMAIN.md)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from people.models import Agency

from .models import Contribution, Fund


class ContributionResource(resources.ModelResource):
    fund = fields.Field(attribute="fund", column_name="fund", widget=ForeignKeyWidget(Fund, "slug"))
    agency = fields.Field(
        attribute="agency", column_name="agency", widget=ForeignKeyWidget(Agency, "code")
    )

    class Meta:
        model = Contribution
        fields = ("fund", "agency", "amount", "received_on", "note")
        export_order = fields
        import_id_fields = ("fund", "agency", "amount", "received_on", "note")
        skip_unchanged = True

    def get_queryset(self):
        return Contribution.objects.select_related("fund", "agency").order_by("received_on", "id")
