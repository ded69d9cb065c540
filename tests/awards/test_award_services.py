"""Funding and declining: the money rules in Decimal, and who may do it in which state."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Tranche
from fund.services import (
    fund_available_balance,
    proposal_decline,
    proposal_fund,
    round_remaining_budget,
)
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from proposals.services import PROPOSAL_TRANSITIONS
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict

from .conftest import D, make_award, plan


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_the_four_proposal_transitions_are_registered():
    for name in ("fund", "decline", "report_outcome", "close"):
        assert name in PROPOSAL_TRANSITIONS


def test_fund_creates_the_award_and_its_tranches_and_logs_it(world):
    award = proposal_fund(
        proposal=world.recommended, actor=world.manager, amount="500000.00",
        tranches=plan("300000.00", "200000.00"), conditions="Quarterly reports.", note="Good plan",
    )
    world.recommended.refresh_from_db()
    assert world.recommended.state == Proposal.State.FUNDED
    assert award.amount == D("500000.00") and award.approved_by == world.manager
    assert award.state == Award.State.ACTIVE and award.conditions == "Quarterly reports."
    parts = list(award.tranches.order_by("sequence").values_list("sequence", "amount", "state"))
    assert parts == [(1, D("300000.00"), "scheduled"), (2, D("200000.00"), "scheduled")]
    log = TransitionLog.objects.for_object(world.recommended).get()
    assert (log.transition, log.from_state, log.to_state, log.actor) == (
        "fund", "recommended", "funded", world.manager)
    assert log.note == "Good plan"


def test_balance_and_budget_are_computed_in_decimal(world):
    assert fund_available_balance(fund=world.fund) == D("2300000.00")
    assert round_remaining_budget(round_=world.round) == D("1800000.00")
    proposal_fund(proposal=world.recommended, actor=world.manager, amount="0.30",
                  tranches=plan("0.10", "0.20"))
    assert fund_available_balance(fund=world.fund) == D("2299999.70")
    assert isinstance(fund_available_balance(fund=world.fund), Decimal)


def test_tranches_summing_exactly_in_decimal_are_accepted(world):
    # 0.1 + 0.2 != 0.3 in binary floating point; in Decimal it is exact.
    award = proposal_fund(proposal=world.recommended, actor=world.manager, amount="100000.30",
                          tranches=plan("100000.10", "0.20"))
    assert sum(t.amount for t in award.tranches.all()) == award.amount


def _funding_world(*, contributed, budget, max_award=None, requested=None):
    fund = FundFactory()
    ContributionFactory(fund=fund, amount=D(contributed))
    round_ = RoundFactory(fund=fund, budget=D(budget), max_award=D(max_award or budget))
    proposal = ProposalFactory(round=round_, recommended=True,
                               requested_amount=D(requested or max_award or budget))
    return fund, round_, proposal


def test_an_award_may_take_the_fund_to_exactly_zero(fund_manager):
    fund, _, proposal = _funding_world(contributed="750000.00", budget="900000.00")
    proposal_fund(proposal=proposal, actor=fund_manager, amount="750000.00",
                  tranches=plan("750000.00"))
    assert fund_available_balance(fund=fund) == D("0.00")


def test_one_cent_over_the_fund_is_refused_and_changes_nothing(fund_manager):
    fund, _, proposal = _funding_world(contributed="750000.00", budget="900000.00")
    with pytest.raises(ValidationError) as excinfo:
        proposal_fund(proposal=proposal, actor=fund_manager, amount="750000.01",
                      tranches=plan("750000.01"))
    assert "would overdraw" in _errors(excinfo)["amount"][0]
    assert "750,000.00 available" in _errors(excinfo)["amount"][0]
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.RECOMMENDED
    assert not Award.objects.filter(proposal=proposal).exists()
    assert fund_available_balance(fund=fund) == D("750000.00")


def test_a_second_award_cannot_overdraw_what_the_first_left(fund_manager):
    fund, round_, first = _funding_world(contributed="1000000.00", budget="5000000.00",
                                         max_award="600000.00")
    second = ProposalFactory(round=round_, recommended=True, requested_amount=D("600000.00"))
    proposal_fund(proposal=first, actor=fund_manager, amount="600000.00", tranches=plan("600000"))
    with pytest.raises(ValidationError):
        proposal_fund(proposal=second, actor=fund_manager, amount="400000.01",
                      tranches=plan("400000.01"))
    proposal_fund(proposal=second, actor=fund_manager, amount="400000.00", tranches=plan("400000"))
    assert fund_available_balance(fund=fund) == D("0.00")


def test_the_round_budget_is_never_exceeded(fund_manager):
    fund, round_, first = _funding_world(contributed="9000000.00", budget="500000.00",
                                         max_award="300000.00")
    second = ProposalFactory(round=round_, recommended=True, requested_amount=D("300000.00"))
    proposal_fund(proposal=first, actor=fund_manager, amount="300000.00", tranches=plan("300000"))
    with pytest.raises(ValidationError) as excinfo:
        proposal_fund(proposal=second, actor=fund_manager, amount="200000.01",
                      tranches=plan("200000.01"))
    assert "round has 200,000.00" in _errors(excinfo)["amount"][0]
    award = proposal_fund(proposal=second, actor=fund_manager, amount="200000.00",
                          tranches=plan("200000.00"))
    assert round_remaining_budget(round_=round_) == D("0.00")
    assert award.amount == D("200000.00")


def test_a_cancelled_award_gives_its_money_back(world):
    from fund.services import award_cancel

    before = fund_available_balance(fund=world.fund)
    award_cancel(award=world.award, actor=world.manager, reason="The team disbanded.")
    assert fund_available_balance(fund=world.fund) == before + D("400000.00")
    assert set(world.award.tranches.values_list("state", flat=True)) == {"cancelled"}


def test_an_award_with_money_released_cannot_be_cancelled(world):
    from fund.services import award_cancel, tranche_release

    tranche_release(tranche=world.tranches[0], actor=world.manager)
    with pytest.raises(ValidationError):
        award_cancel(award=world.award, actor=world.manager, reason="Changed our minds.")
    world.award.refresh_from_db()
    assert world.award.state == Award.State.ACTIVE


@pytest.mark.parametrize(
    ("amount", "field", "fragment"),
    [
        ("600000.00", "amount", "requested amount"),          # requested is 500,000
        ("", "amount", "required"),
        ("lots", "amount", "not a number"),
        ("-5.00", "amount", "more than zero"),
        ("0", "amount", "more than zero"),
        ("100.005", "amount", "two decimal places"),
        ("NaN", "amount", "not a number"),
    ],
)
def test_bad_amounts_are_refused_with_a_message(world, amount, field, fragment):
    with pytest.raises(ValidationError) as excinfo:
        proposal_fund(proposal=world.recommended, actor=world.manager, amount=amount,
                      tranches=plan(amount or "1"))
    assert fragment in " ".join(_errors(excinfo)[field])
    world.recommended.refresh_from_db()
    assert world.recommended.state == Proposal.State.RECOMMENDED


def test_above_max_award_is_refused(fund_manager):
    _, _, proposal = _funding_world(contributed="9000000", budget="9000000", max_award="500000",
                                    requested="500000")
    # The requested amount passed submit's check; the round's maximum is checked again here.
    Proposal.objects.filter(pk=proposal.pk).update(requested_amount=D("800000.00"))
    proposal.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        proposal_fund(proposal=proposal, actor=fund_manager, amount="500000.01",
                      tranches=plan("500000.01"))
    assert "maximum award of 500,000.00" in _errors(excinfo)["amount"][0]


@pytest.mark.parametrize(
    ("tranches", "fragment"),
    [
        (plan("300000.00", "199999.99"), "add up to 499,999.99"),
        (plan("300000.00", "200000.01"), "add up to 500,000.01"),
        ([], "at least one tranche"),
        (None, "at least one tranche"),
        ([{"amount": "500000.00", "due_on": "", "milestone": "x"}], "due date"),
        ([{"amount": "500000.00", "due_on": "2027-13-01", "milestone": "x"}], "due date"),
        ([{"amount": "500000.00", "due_on": "2027-01-01", "milestone": " "}], "milestone"),
        ([{"amount": "abc", "due_on": "2027-01-01", "milestone": "x"}], "not a number"),
        ([{"amount": "600000", "due_on": "2027-06-01", "milestone": "x"},
          {"amount": "-100000", "due_on": "2027-09-01", "milestone": "y"}], "more than zero"),
        ([{"amount": "250000", "due_on": "2027-06-01", "milestone": "x"},
          {"amount": "250000", "due_on": "2027-01-01", "milestone": "y"}], "cannot fall due"),
        ("not a list", "at least one tranche"),
    ],
)
def test_tranche_plans_that_do_not_hold_are_refused(world, tranches, fragment):
    before = fund_available_balance(fund=world.fund)
    with pytest.raises(ValidationError) as excinfo:
        proposal_fund(proposal=world.recommended, actor=world.manager, amount="500000.00",
                      tranches=tranches)
    assert fragment in " ".join(_errors(excinfo)["tranches"])
    assert fund_available_balance(fund=world.fund) == before
    assert not Tranche.objects.filter(award__proposal=world.recommended).exists()


@pytest.mark.parametrize("role", ["lead", "team", "hr", "chair", "stranger"])
def test_only_fund_managers_fund(world, role):
    with pytest.raises(PermissionDenied):
        proposal_fund(proposal=world.recommended, actor=getattr(world, role),
                      amount="500000.00", tranches=plan("500000.00"))


def test_a_fund_manager_on_the_team_may_not_fund_it(world):
    from proposals.factories import TeamMemberFactory

    TeamMemberFactory(proposal=world.recommended, user=world.manager)
    with pytest.raises(PermissionDenied):
        proposal_fund(proposal=world.recommended, actor=world.manager, amount="500000.00",
                      tranches=plan("500000.00"))


@pytest.mark.parametrize("state", ["in_review", "funded", "declined", "submitted", "closed"])
def test_only_a_recommended_proposal_is_funded(world, state):
    proposal = ProposalFactory(round=world.round, state=state, ready=True)
    with pytest.raises(TransitionStateConflict):
        proposal_fund(proposal=proposal, actor=world.manager, amount="1",  # state first
                      tranches=[])


def test_a_proposal_is_funded_once(world):
    proposal_fund(proposal=world.recommended, actor=world.manager, amount="500000.00",
                  tranches=plan("500000.00"))
    with pytest.raises(TransitionStateConflict):
        proposal_fund(proposal=world.recommended, actor=world.manager, amount="500000.00",
                      tranches=plan("500000.00"))
    assert Award.objects.filter(proposal=world.recommended).count() == 1


def test_decline_needs_a_reason_and_logs_it(world):
    with pytest.raises(ValidationError) as excinfo:
        proposal_decline(proposal=world.recommended, actor=world.manager, reason="  ")
    assert "reason" in _errors(excinfo)
    proposal_decline(proposal=world.recommended, actor=world.manager,
                     reason="The round's budget is exhausted.")
    world.recommended.refresh_from_db()
    assert world.recommended.state == Proposal.State.DECLINED
    log = TransitionLog.objects.for_object(world.recommended).get()
    assert log.note == "The round's budget is exhausted."


@pytest.mark.parametrize("role", ["lead", "team", "hr", "chair", "stranger"])
def test_only_fund_managers_decline(world, role):
    with pytest.raises(PermissionDenied):
        proposal_decline(proposal=world.recommended, actor=getattr(world, role), reason="No.")


def test_decline_only_when_recommended(world):
    with pytest.raises(TransitionStateConflict):
        proposal_decline(proposal=world.funded, actor=world.manager, reason="No.")


def test_make_award_helper_matches_the_rules(world):
    # The fixture's awards are what the service would have written.
    assert sum(t.amount for t in world.tranches) == world.award.amount
    assert make_award  # used across the tests
