"""Proposals as a CSV/XLSX export for fund managers (export only), and which proposals' data
may leave in a file at all (`exportable_proposals`, also used by the fund's and reviews'
resources). The export registry (datafiles/exports.py) names `VisibleProposalResource`."""

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Sum
from import_export import fields, resources

from datafiles.aggregates import TextsJoined, texts_split

from .models import BudgetLine, Proposal


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
        """One query whatever the number of rows: the budget total and the partner agencies
        are correlated subqueries of each row (no prefetch, no aggregate over the whole
        table re-run per chunk)."""
        budget = (BudgetLine.objects.filter(proposal=OuterRef("pk")).order_by()
                  .values("proposal").annotate(total=Sum("amount")).values("total"))
        partners = (Proposal.partner_agencies.through.objects.filter(proposal=OuterRef("pk"))
                    .order_by().values("proposal")
                    .annotate(codes=TextsJoined("agency__code")).values("codes"))
        return (
            Proposal.objects.select_related("round", "lead__agency")
            .annotate(budget_sum=Subquery(budget),
                      partner_codes=Subquery(partners, output_field=CharField()))
            .order_by("id")
        )

    def dehydrate_lead(self, proposal) -> str:
        return proposal.lead.get_full_name() or proposal.lead.username

    def dehydrate_partner_agencies(self, proposal) -> str:
        if hasattr(proposal, "partner_codes"):
            return ";".join(texts_split(proposal.partner_codes))
        return ";".join(sorted(a.code for a in proposal.partner_agencies.all()))


def exportable_proposals(viewer) -> QuerySet:
    """The proposals whose data may leave in a file for `viewer`: those the pages show them.

    An administrator (who has the whole database in the admin) exports what a fund manager
    sees: never another person's unsubmitted draft.
    """
    from proposals.models import Proposal
    from proposals.selectors import proposals_visible_to

    visible = proposals_visible_to(viewer)
    if viewer is not None and viewer.is_authenticated and viewer.is_superuser:
        submitted = Proposal.objects.exclude(state=Proposal.State.DRAFT).exclude(
            state=Proposal.State.WITHDRAWN, submitted_at__isnull=True
        )
        visible = Proposal.objects.filter(pk__in=visible.values("pk")) | submitted
    return visible


class VisibleProposalResource(ProposalResource):
    """`ProposalResource` limited to the proposals the viewer may see (no one's drafts)."""

    def __init__(self, *, viewer=None, round=None, **kwargs):
        super().__init__(**kwargs)
        self.viewer, self.round_id = viewer, round

    def get_queryset(self):
        qs = super().get_queryset().filter(pk__in=exportable_proposals(self.viewer).values("pk"))
        return qs.filter(round_id=self.round_id) if self.round_id else qs
