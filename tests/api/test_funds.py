"""funds/ with available_balance, funds/<id>/contributions/: reading for all, writing for managers."""

from decimal import Decimal

import pytest

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Contribution, Fund
from people.factories import AgencyFactory
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/funds/"


def contributions_url(fund):
    return f"{LIST}{fund.pk}/contributions/"


def test_available_balance_is_contributions_less_live_awards(api, people):
    fund = FundFactory()
    ContributionFactory(fund=fund, amount=Decimal("1000000.00"))
    ContributionFactory(fund=fund, amount=Decimal("500000.50"))
    round_ = RoundFactory(fund=fund)
    for amount, state in ((Decimal("300000.00"), "active"), (Decimal("100000.00"), "cancelled"),
                          (Decimal("50000.25"), "completed")):
        Award.objects.create(proposal=ProposalFactory(funded=True, round=round_), amount=amount,
                             approved_by=people["fund_manager"], state=state)
    ContributionFactory(amount=Decimal("999.00"))  # another fund's money
    body = api(people["stranger"]).get(f"{LIST}{fund.pk}/").json()
    assert body["available_balance"] == "1150000.25"
    assert body["total_contributed"] == "1500000.50"
    assert body["total_committed"] == "350000.25"
    assert Decimal(body["available_balance"]) == Fund.objects.get(pk=fund.pk).available_balance


def test_every_signed_in_role_reads_funds(api, people):
    FundFactory.create_batch(3)
    for role in ("stranger", "lead", "fund_manager", "hr_officer"):
        response = api(people[role]).get(LIST)
        assert response.status_code == 200
        assert response.json()["count"] == 3


def test_fund_manager_creates_and_updates_a_fund(api, people):
    client = api(people["fund_manager"])
    response = client.post(LIST, {"name": "Digital Drukyul Fund", "description": "Pilots"},
                           format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "digital-drukyul-fund" and body["currency"] == "BTN"
    assert body["available_balance"] == "0.00"
    response = client.patch(f"{LIST}{body['id']}/", {"description": "Changed"}, format="json")
    assert response.status_code == 200
    assert Fund.objects.get(pk=body["id"]).description == "Changed"


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 201}, {"name": "A", "currency": "TOOLONG"}])
def test_bad_fund_input_is_400(api, people, body):
    assert api(people["fund_manager"]).post(LIST, body, format="json").status_code == 400


def test_duplicate_slug_is_400(api, people):
    FundFactory(slug="taken")
    response = api(people["fund_manager"]).post(LIST, {"name": "A", "slug": "taken"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()


@pytest.mark.parametrize("role", ["stranger", "lead", "hr_officer"])
def test_only_fund_managers_write_funds(api, people, role):
    fund = FundFactory()
    client = api(people[role])
    assert client.post(LIST, {"name": "Mine"}, format="json").status_code == 403
    assert client.patch(f"{LIST}{fund.pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert not Fund.objects.filter(name="Mine").exists()


# --- contributions --------------------------------------------------------------------------


def test_contributions_list_and_record(api, people):
    fund = FundFactory()
    ContributionFactory(fund=fund)
    agency = AgencyFactory(code="MOF")
    client = api(people["fund_manager"])
    response = client.post(
        contributions_url(fund),
        {"agency": agency.pk, "amount": "250000.00", "received_on": "2026-07-01", "note": "Q1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "250000.00" and response.json()["fund"] == fund.pk
    assert Contribution.objects.get(pk=response.json()["id"]).recorded_by == people["fund_manager"]
    listed = api(people["stranger"]).get(contributions_url(fund)).json()
    assert listed["count"] == 2
    assert client.get(f"{LIST}{fund.pk}/").json()["available_balance"] == "1250000.00"
    assert client.get(contributions_url(fund), {"agency": agency.pk}).json()["count"] == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": None}, "amount"),
        ({"agency": 999999}, "agency"),
        ({"agency": "abc"}, "agency"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"received_on": None}, "received_on"),
    ],
)
def test_bad_contributions_are_400(api, people, overrides, field):
    fund = FundFactory()
    body = {"agency": AgencyFactory().pk, "amount": "100.00", "received_on": "2026-07-01"}
    body.update(overrides)
    response = api(people["fund_manager"]).post(contributions_url(fund), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("role", ["stranger", "lead", "hr_officer"])
def test_only_fund_managers_record_contributions(api, people, role):
    fund = FundFactory()
    body = {"agency": AgencyFactory().pk, "amount": "100.00", "received_on": "2026-07-01"}
    assert api(people[role]).post(contributions_url(fund), body, format="json").status_code == 403


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999999"])
def test_contributions_of_an_unknown_fund_are_404(api, people, pk):
    response = api(people["fund_manager"]).get(f"{LIST}{pk}/contributions/")
    assert response.status_code == 404
