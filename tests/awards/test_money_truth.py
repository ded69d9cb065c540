"""Money tells the truth (issue 13, example 4): committed = awards less cancelled tranches;
closing cancels what was not released and returns it; nothing is spent beyond what was
released; no tranche falls due before its award."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fund.models import Tranche
from fund.services.awards import (
    fund_available_balance,
    proposal_fund,
    round_remaining_budget,
    tranche_cancel,
    tranche_release,
)
from proposals.services.outcomes import proposal_close, proposal_report_outcome
from workflow.models import TransitionLog

from .conftest import plan

D = Decimal


def test_cancelling_a_scheduled_tranche_returns_its_money(world, client):
    before_fund = fund_available_balance(fund=world.fund)
    before_round = round_remaining_budget(round_=world.round)
    tranche_cancel(tranche=world.tranches[1], actor=world.manager, reason="Milestone dropped.")
    assert fund_available_balance(fund=world.fund) == before_fund + D("150000.00")
    assert round_remaining_budget(round_=world.round) == before_round + D("150000.00")
    client.force_login(world.manager)
    page = client.get(f"/awards/{world.award.pk}/").content.decode()
    assert "Returned to the fund" in page and "150,000.00" in page
    money = client.get(f"/awards/funds/{world.fund.pk}/").content.decode()
    assert "Returned (tranches cancelled, back in the fund)" in money


def test_closing_cancels_unreleased_tranches_and_returns_the_money(world):
    from proposals.factories import ProposalFactory

    from .conftest import make_award

    proposal = ProposalFactory(round=world.round, lead=world.lead, outcome_reported=True)
    award = make_award(proposal, amount="600000.00", approved_by=world.manager,
                       tranches=[("300000.00", "reported"), ("300000.00", "scheduled")])
    before = fund_available_balance(fund=world.fund)
    proposal_close(proposal=proposal, actor=world.manager, note="Accepted.")
    states = list(award.tranches.order_by("sequence").values_list("state", flat=True))
    assert states == ["reported", "cancelled"]
    log = TransitionLog.objects.for_object(award.tranches.get(sequence=2)).get()
    assert (log.transition, log.actor) == ("cancel", world.manager)
    assert fund_available_balance(fund=world.fund) == before + D("300000.00")
    award.refresh_from_db()
    assert award.state == "completed"


def test_spending_more_than_was_released_is_refused(world):
    tranche_release(tranche=world.tranches[0], actor=world.manager)
    with pytest.raises(ValidationError) as error:
        proposal_report_outcome(
            proposal=world.funded, actor=world.lead, result="succeeded", summary="Done.",
            indicators="Waits fell.", amount_spent=D("300000.00"),
            citizen_feedback="Good.", next_step="scale_up")
    assert "released to this proposal so far (250,000.00)" in str(error.value)
    world.funded.refresh_from_db()
    assert world.funded.state == "funded"
    proposal_report_outcome(
        proposal=world.funded, actor=world.lead, result="did_not_succeed", summary="Done.",
        indicators="Waits did not fall.", amount_spent=D("250000.00"),
        citizen_feedback="Mixed.", next_step="stop")


def test_a_tranche_cannot_fall_due_before_the_award(world):
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as error:
        proposal_fund(proposal=world.recommended, actor=world.manager,
                      amount=world.recommended.requested_amount,
                      tranches=[{"amount": str(world.recommended.requested_amount),
                                 "due_on": past, "milestone": "Pilot"}])
    assert "cannot fall due before the award is made" in str(error.value)
    proposal_fund(proposal=world.recommended, actor=world.manager,
                  amount=world.recommended.requested_amount,
                  tranches=plan(world.recommended.requested_amount,
                                start=timezone.localdate()))
    assert Tranche.objects.filter(award__proposal=world.recommended).count() == 1
