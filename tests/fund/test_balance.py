"""A fund's available balance: contributions less awards that are not cancelled, in Decimal."""

from decimal import Decimal

import pytest

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award
from fund.selectors import fund_balance_by_agency, funds_with_balance
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def award(fund, amount, state=Award.State.ACTIVE):
    proposal = ProposalFactory(funded=True, round=RoundFactory(fund=fund))
    return Award.objects.create(proposal=proposal, amount=Decimal(amount), state=state,
                                approved_by=UserFactory(fund_manager=True))


def test_balance_is_contributions_less_committed_awards():
    fund = FundFactory()
    for amount in ("1000000.10", "2500000.20", "0.30"):
        ContributionFactory(fund=fund, amount=Decimal(amount))
    award(fund, "400000.05")
    award(fund, "99999.95")
    award(fund, "700000.00", state=Award.State.CANCELLED)  # money back in the fund
    award(fund, "100.00", state=Award.State.COMPLETED)  # still spent
    award(FundFactory(), "123.00")  # another fund's award
    expected = Decimal("3500000.60") - Decimal("500100.00")
    assert fund.available_balance == expected == Decimal("2999900.60")
    assert isinstance(fund.available_balance, Decimal)
    annotated = funds_with_balance().get(pk=fund.pk)
    assert annotated.available_balance == expected


def test_empty_fund_has_zero_balance():
    fund = FundFactory()
    assert fund.available_balance == Decimal("0.00")
    assert funds_with_balance().get(pk=fund.pk).available_balance == Decimal("0.00")


def test_tenths_add_up_exactly():
    fund = FundFactory()
    ContributionFactory.create_batch(10, fund=fund, amount=Decimal("0.10"))
    assert fund.available_balance == Decimal("1.00")


def test_round_remaining_budget():
    fund = FundFactory()
    round_ = RoundFactory(fund=fund, budget=Decimal("1000000.00"))
    Award.objects.create(proposal=ProposalFactory(funded=True, round=round_),
                         amount=Decimal("250000.50"), approved_by=UserFactory())
    assert round_.remaining_budget == Decimal("749999.50")


def test_balance_by_agency():
    fund = FundFactory()
    moh, mof = AgencyFactory(code="MOH"), AgencyFactory(code="MOF")
    ContributionFactory(fund=fund, agency=moh, amount=Decimal("100.00"))
    ContributionFactory(fund=fund, agency=moh, amount=Decimal("50.00"))
    ContributionFactory(fund=fund, agency=mof, amount=Decimal("500.00"))
    rows = list(fund_balance_by_agency(fund=fund))
    assert [(r["agency__code"], r["total"]) for r in rows] == [
        ("MOF", Decimal("500.00")), ("MOH", Decimal("150.00"))]
