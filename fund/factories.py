from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from people.factories import AgencyFactory, UserFactory

from .models import Contribution, Fund, Round
from .signals import round_created


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    name = factory.Sequence(lambda n: f"Innovation Fund {n}")
    slug = factory.Sequence(lambda n: f"fund-{n}")
    currency = "BTN"


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    fund = factory.SubFactory(FundFactory)
    agency = factory.SubFactory(AgencyFactory)
    amount = Decimal("1000000.00")
    received_on = factory.LazyFunction(lambda: timezone.localdate())
    recorded_by = factory.SubFactory(UserFactory, fund_manager=True)


class RoundFactory(factory.django.DjangoModelFactory):
    """A round with the default rubric; `state` may be given (it is set at creation only)."""

    class Meta:
        model = Round
        skip_postgeneration_save = True

    fund = factory.SubFactory(FundFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    budget = Decimal("5000000.00")
    max_award = Decimal("1000000.00")
    min_partner_agencies = 2
    min_panel_agencies = 3
    reviews_required = 3
    state = Round.State.OPEN

    class Params:
        draft = factory.Trait(state=Round.State.DRAFT)
        closed = factory.Trait(state=Round.State.CLOSED)
        archived = factory.Trait(state=Round.State.ARCHIVED)

    @factory.post_generation
    def rubric(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            # The default rubric, as for a round made by fund.services.round_create.
            round_created.send(sender=Round, round=obj, actor=None)
