from decimal import Decimal

import factory
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory

from .models import Attachment, BudgetLine, Proposal, TeamMember

# When a factory-made proposal "was submitted": now, as `proposal_submit` stamps it.
_NOW = factory.LazyFunction(timezone.now)


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft by default; `ready=True` fills everything submit needs; a state trait
    (`submitted=True`, `in_review=True`, ...) gives the state and the `submitted_at` it implies."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    lead = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Experiment {n}")

    class Params:
        ready = factory.Trait(
            summary="Try a citizen-designed queue system at district hospitals.",
            problem="Patients wait hours without knowing when they will be seen.",
            hypothesis="A visible queue with SMS calls cuts perceived waiting by half.",
            success_criteria="Median reported waiting satisfaction rises from 2/5 to 4/5.",
            approach="Co-design with patients for a month, run for three months, compare.",
            citizen_engagement="Patient panels in two dzongkhags design the signs and messages.",
            expected_outcomes="Shorter perceived waits; a tested design other hospitals can copy.",
            requested_amount=Decimal("500000.00"),
            duration_months=6,
        )
        # One trait per state: ProposalFactory(submitted=True). The state is set at creation
        # only (the field is protected); tests that need the path use the services. Every
        # state past `submit` carries the `submitted_at` that `proposal_submit` stamps.
        submitted = factory.Trait(ready=True, state=Proposal.State.SUBMITTED, submitted_at=_NOW)
        ineligible = factory.Trait(ready=True, state=Proposal.State.INELIGIBLE, submitted_at=_NOW)
        in_review = factory.Trait(ready=True, state=Proposal.State.IN_REVIEW, submitted_at=_NOW)
        revision_requested = factory.Trait(
            ready=True, state=Proposal.State.REVISION_REQUESTED, submitted_at=_NOW
        )
        recommended = factory.Trait(ready=True, state=Proposal.State.RECOMMENDED, submitted_at=_NOW)
        rejected = factory.Trait(ready=True, state=Proposal.State.REJECTED, submitted_at=_NOW)
        funded = factory.Trait(ready=True, state=Proposal.State.FUNDED, submitted_at=_NOW)
        declined = factory.Trait(ready=True, state=Proposal.State.DECLINED, submitted_at=_NOW)
        outcome_reported = factory.Trait(
            ready=True, state=Proposal.State.OUTCOME_REPORTED, submitted_at=_NOW
        )
        closed = factory.Trait(ready=True, state=Proposal.State.CLOSED, submitted_at=_NOW)
        # Withdrawn as a draft: never submitted, so only its lead and team see it (selectors).
        withdrawn = factory.Trait(ready=True, state=Proposal.State.WITHDRAWN, submitted_at=None)
        # Withdrawn after submission: fund managers and HR officers still see it.
        withdrawn_after_submission = factory.Trait(
            ready=True, state=Proposal.State.WITHDRAWN, submitted_at=_NOW
        )

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        """partners=[agency, ...]; a ready proposal gets one partner agency by default."""
        if not create:
            return
        if extracted is None and obj.requested_amount is not None:
            extracted = [AgencyFactory()]
        if extracted:
            obj.partner_agencies.set(extracted)

    @factory.post_generation
    def budget(obj, create, extracted, **kwargs):
        """A ready proposal gets budget lines adding up to the requested amount."""
        if not create or extracted is False or obj.requested_amount is None:
            return
        half = (obj.requested_amount / 2).quantize(Decimal("0.01"))
        BudgetLine.objects.create(proposal=obj, category=BudgetLine.Category.ENGAGEMENT,
                                  description="Co-design workshops", amount=half)
        BudgetLine.objects.create(proposal=obj, category=BudgetLine.Category.EQUIPMENT,
                                  description="Screens and SMS gateway",
                                  amount=obj.requested_amount - half)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    """An accepted member by default (the invitation answered); `invited=True` for an open
    invitation."""

    class Meta:
        model = TeamMember

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory)
    role = "Analyst"
    state = TeamMember.State.ACCEPTED
    invited_at = _NOW
    accepted_at = _NOW

    class Params:
        invited = factory.Trait(state=TeamMember.State.INVITED, accepted_at=None)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    proposal = factory.SubFactory(ProposalFactory)
    category = BudgetLine.Category.OTHER
    description = "Materials"
    amount = Decimal("1000.00")


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    proposal = factory.SubFactory(ProposalFactory)
    file = factory.django.FileField(filename="plan.pdf", data=b"%PDF-1.4 demo")
    original_name = "plan.pdf"
    content_type = "application/pdf"
    size = 13
    uploaded_by = factory.SelfAttribute("proposal.lead")
