"""The security log as a CSV or XLSX file (the admin's Export)."""

from django.utils import timezone
from import_export import fields, resources

from .models import SecurityEvent

# A spreadsheet runs a cell that begins with one of these as a formula; a username typed at
# the sign-in page is anyone's text, so such a cell is written with a leading apostrophe (as
# the product's other exports do, workflow/cells.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SecurityEventResource(resources.ModelResource):
    at = fields.Field(attribute="at", column_name="When")
    kind = fields.Field(attribute="kind", column_name="What")
    actor = fields.Field(attribute="actor_username", column_name="By")
    subject = fields.Field(attribute="subject_username", column_name="Whose account")
    username = fields.Field(attribute="username", column_name="Username typed")
    ip_address = fields.Field(attribute="ip_address", column_name="Address")
    detail = fields.Field(attribute="detail", column_name="Detail")

    class Meta:
        model = SecurityEvent
        fields = ["at", "kind", "actor", "subject", "username", "ip_address", "detail"]
        export_order = fields

    def dehydrate_at(self, event):
        return timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")

    def dehydrate_kind(self, event):
        return event.get_kind_display()

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return as_text("" if value is None else value)
