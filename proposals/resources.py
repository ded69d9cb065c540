"""Proposals as a CSV/XLSX export for fund managers (export only)."""

from django.db.models import Sum
from import_export import fields, resources

from .models import Proposal


class ProposalResource(resources.ModelResource):
    round = fields.Field(column_name="round", attribute="round__title", readonly=True)
    lead = fields.Field(column_name="lead", readonly=True)
    lead_agency = fields.Field(column_name="lead_agency", attribute="lead__agency__code",
                               readonly=True)
    partner_agencies = fields.Field(column_name="partner_agencies", readonly=True)
    state = fields.Field(column_name="state", attribute="state", readonly=True)
    budget_total = fields.Field(column_name="budget_total", attribute="budget_sum", readonly=True)

    class Meta:
        model = Proposal
        fields = (
            "id", "title", "round", "lead", "lead_agency", "partner_agencies", "state",
            "requested_amount", "budget_total", "duration_months", "submitted_at",
        )
        export_order = fields

    def get_queryset(self):
        return (
            Proposal.objects.select_related("round", "lead__agency")
            .prefetch_related("partner_agencies")
            .annotate(budget_sum=Sum("budget_lines__amount"))
            .order_by("id")
        )

    def dehydrate_lead(self, proposal) -> str:
        return proposal.lead.get_full_name() or proposal.lead.username

    def dehydrate_partner_agencies(self, proposal) -> str:
        return ";".join(sorted(a.code for a in proposal.partner_agencies.all()))
