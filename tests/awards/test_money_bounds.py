"""Amounts too large for a money column are a clear message (400), never a 500 or a write the
database would refuse: a MONEY column holds at most 999,999,999,999.99."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from fund.models import Award
from fund.money import MAX_MONEY, parse_money
from proposals.models import OutcomeReport, Proposal
from proposals.services import proposal_report_outcome

from .conftest import D, plan
from .test_pages import FUND_FORM, OUTCOME_FORM

TOO_LARGE = ["1e30", "1E26", "1000000000000", "1000000000000.00", "99999999999999999999"]


def _messages(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


def test_the_largest_amount_is_what_the_column_holds():
    assert MAX_MONEY == D("999999999999.99")
    assert parse_money("999,999,999,999.99", "amount") == MAX_MONEY


@pytest.mark.parametrize("value", TOO_LARGE)
def test_parse_money_refuses_amounts_too_large(value):
    with pytest.raises(ValidationError) as excinfo:
        parse_money(value, "amount")
    assert "too large" in _messages(excinfo, "amount")


@pytest.mark.parametrize(("value", "fragment"), [
    ("NaN", "not a number"), ("Infinity", "not a number"), ("-Infinity", "not a number"),
    ("sNaN", "not a number"), ("1.005", "two decimal places"), ("0", "more than zero"),
    (True, "not a number"), ("", "required"), (None, "required"),
])
def test_parse_money_refuses_what_is_not_an_amount(value, fragment):
    with pytest.raises(ValidationError) as excinfo:
        parse_money(value, "amount")
    assert fragment in _messages(excinfo, "amount")


def test_parse_money_may_allow_zero_but_never_negative():
    assert parse_money("0", "spent", allow_zero=True) == D("0.00")
    with pytest.raises(ValidationError) as excinfo:
        parse_money("-1", "spent", label="The amount spent", allow_zero=True)
    assert _messages(excinfo, "spent") == "The amount spent cannot be negative."


@pytest.mark.parametrize("value", ["1e30", "1000000000000.00"])
def test_fund_page_refuses_a_huge_award_with_a_message(client, world, value):
    client.force_login(world.manager)
    response = client.post(f"/awards/fund/{world.recommended.pk}/", {**FUND_FORM, "amount": value})
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Award.objects.filter(proposal=world.recommended).exists()


@pytest.mark.parametrize("value", ["1e30", "1000000000000.00"])
def test_api_refuses_a_huge_tranche_with_a_message(world, value):
    api = APIClient()
    api.force_authenticate(world.manager)
    tranches = plan("300000.00", "200000.00")
    tranches[1]["amount"] = value
    response = api.post(f"/api/v1/proposals/{world.recommended.pk}/transitions/fund/",
                        {"amount": "500000.00", "tranches": tranches}, format="json")
    assert response.status_code == 400, response.content
    assert "too large" in response.content.decode()
    world.recommended.refresh_from_db()
    assert world.recommended.state == Proposal.State.RECOMMENDED


@pytest.mark.parametrize("value", TOO_LARGE)
def test_outcome_refuses_an_amount_spent_too_large(world, value):
    with pytest.raises(ValidationError) as excinfo:
        proposal_report_outcome(proposal=world.funded, actor=world.lead,
                                **{**OUTCOME_FORM, "amount_spent": value})
    assert "too large" in _messages(excinfo, "amount_spent")
    assert not OutcomeReport.objects.filter(proposal=world.funded).exists()


def test_outcome_page_refuses_an_amount_spent_too_large(client, world):
    client.force_login(world.lead)
    response = client.post(f"/awards/outcome/{world.funded.pk}/",
                           {**OUTCOME_FORM, "amount_spent": "1e30"})
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not OutcomeReport.objects.filter(proposal=world.funded).exists()


def test_outcome_takes_up_to_exactly_what_was_released(world):
    from .conftest import release_all

    release_all(world.award)
    proposal_report_outcome(proposal=world.funded, actor=world.lead,
                            **{**OUTCOME_FORM, "amount_spent": "400000.00"})
    assert OutcomeReport.objects.get(proposal=world.funded).amount_spent == world.award.amount


@pytest.mark.parametrize("value", ["1e30", "1000000000000.00", "NaN"])
def test_drafting_refuses_a_requested_amount_or_budget_line_too_large(world, value):
    from proposals.services import proposal_update

    draft = world.recommended
    Proposal.objects.filter(pk=draft.pk).update(state=Proposal.State.DRAFT)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        proposal_update(actor=world.lead, proposal=draft, requested_amount=value,
                        budget_lines=[{"category": "staff", "description": "Allowances",
                                       "amount": value}])
    assert set(excinfo.value.message_dict) == {"requested_amount", "budget_lines"}
