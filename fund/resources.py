"""django-import-export resources for the fund: contributions (headers of DOMAIN.md) and
awards with their tranches (export only)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from people.models import Agency
from proposals.resources import exportable_proposals
from workflow.models import TransitionLog

from .models import Contribution, Fund, Tranche


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


class AwardResource(resources.ModelResource):
    """Awards with their tranches, one row per tranche (export only).

    A finance officer reconciles disbursements, and each tranche is one: its own amount, due
    date, state and release date. One row per tranche gives fixed columns whatever the number
    of tranches, sorts into a payment schedule by `due_on`, and sums by award, agency or
    state in a pivot table; the award's columns repeat on each of its rows so every row
    stands alone. Only awards whose proposal the viewer may see.
    """

    award_id = fields.Field(column_name="award_id", attribute="award_id", readonly=True)
    proposal_id = fields.Field(column_name="proposal_id", attribute="award__proposal_id",
                               readonly=True)
    proposal = fields.Field(column_name="proposal", attribute="award__proposal__title",
                            readonly=True)
    round = fields.Field(column_name="round", attribute="award__proposal__round__title",
                         readonly=True)
    fund = fields.Field(column_name="fund", attribute="award__proposal__round__fund__slug",
                        readonly=True)
    currency = fields.Field(column_name="currency",
                            attribute="award__proposal__round__fund__currency", readonly=True)
    lead = fields.Field(column_name="lead", readonly=True)
    lead_agency = fields.Field(column_name="lead_agency",
                               attribute="award__proposal__lead__agency__code", readonly=True)
    award_amount = fields.Field(column_name="award_amount", readonly=True)
    award_state = fields.Field(column_name="award_state", attribute="award__state",
                               readonly=True)
    approved_by = fields.Field(column_name="approved_by", readonly=True)
    approved_on = fields.Field(column_name="approved_on", readonly=True)
    tranche = fields.Field(column_name="tranche", attribute="sequence", readonly=True)
    tranche_amount = fields.Field(column_name="tranche_amount", readonly=True)
    due_on = fields.Field(column_name="due_on", attribute="due_on", readonly=True)
    tranche_state = fields.Field(column_name="tranche_state", attribute="state", readonly=True)
    released_on = fields.Field(column_name="released_on", readonly=True)
    milestone = fields.Field(column_name="milestone", attribute="milestone", readonly=True)

    # Admin actions select awards; the rows are their tranches.
    selected_lookup = "award__in"

    class Meta:
        model = Tranche
        fields = (
            "award_id", "proposal_id", "proposal", "round", "fund", "currency", "lead",
            "lead_agency", "award_amount", "award_state", "approved_by", "approved_on",
            "tranche", "tranche_amount", "due_on", "tranche_state", "released_on", "milestone",
        )
        export_order = fields

    def __init__(self, *, viewer=None, round=None, **kwargs):
        super().__init__(**kwargs)
        self.viewer, self.round_id = viewer, round

    def get_queryset(self):
        released = TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Tranche), object_id=OuterRef("pk"),
            transition="release",
        ).order_by("at").values("at")[:1]
        qs = (
            Tranche.objects.filter(
                award__proposal__in=exportable_proposals(self.viewer).values("pk")
            )
            .select_related("award__proposal__round__fund", "award__proposal__lead__agency",
                            "award__approved_by")
            .annotate(released_at=Subquery(released))
            .order_by("award__approved_at", "award_id", "sequence")
        )
        return qs.filter(award__proposal__round_id=self.round_id) if self.round_id else qs

    @staticmethod
    def _name(user) -> str:
        return (user.get_full_name() or user.username) if user else ""

    def dehydrate_lead(self, tranche) -> str:
        return self._name(tranche.award.proposal.lead)

    def dehydrate_approved_by(self, tranche) -> str:
        return self._name(tranche.award.approved_by)

    def dehydrate_approved_on(self, tranche):
        return timezone.localtime(tranche.award.approved_at).date()

    # Money stays a Decimal: a number cell in XLSX that a finance officer can sum.
    def dehydrate_award_amount(self, tranche):
        return tranche.award.amount

    def dehydrate_tranche_amount(self, tranche):
        return tranche.amount

    def dehydrate_released_on(self, tranche):
        return timezone.localtime(tranche.released_at).date() if tranche.released_at else ""
