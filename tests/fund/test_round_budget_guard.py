"""A round's budget never drops below what is already awarded in it (DOMAIN: awards in a round
never exceed its budget), whether it is cut through the service, the API or the page, and the
cut takes the fund's lock so it cannot race a `fund` call."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Fund
from fund.services import proposal_fund, round_remaining_budget, round_update
from people.factories import UserFactory
from people.models import User
from proposals.factories import ProposalFactory
from proposals.models import Proposal

D = Decimal
MESSAGE = "The round has BTN 700,000.00 awarded already; its budget cannot be less."


def _award(round_, amount, **kwargs):
    proposal = ProposalFactory(round=round_, funded=True, requested_amount=D(amount))
    return Award.objects.create(proposal=proposal, amount=D(amount),
                                approved_by=UserFactory(fund_manager=True), **kwargs)


@pytest.fixture
def round_with_awards(db):
    """A round of 1,000,000 with 700,000 awarded (and a cancelled award that does not count)."""
    round_ = RoundFactory(budget=D("1000000.00"), max_award=D("500000.00"))
    _award(round_, "400000.00")
    _award(round_, "300000.00")
    _award(round_, "250000.00", state=Award.State.CANCELLED)
    return round_


def test_budget_below_what_is_awarded_is_refused(round_with_awards, fund_manager):
    with pytest.raises(ValidationError) as excinfo:
        round_update(actor=fund_manager, round_=round_with_awards, budget=D("500000.00"))
    assert excinfo.value.message_dict == {"budget": [MESSAGE]}
    round_with_awards.refresh_from_db()
    assert round_with_awards.budget == D("1000000.00")


def test_budget_down_to_what_is_awarded_is_allowed(round_with_awards, fund_manager):
    round_update(actor=fund_manager, round_=round_with_awards, budget=D("700000.00"),
                 max_award=D("400000.00"))
    round_with_awards.refresh_from_db()
    assert round_with_awards.budget == D("700000.00")
    assert round_remaining_budget(round_=round_with_awards) == D("0.00")


def test_other_changes_to_a_round_are_untouched_by_the_guard(round_with_awards, fund_manager):
    round_update(actor=fund_manager, round_=round_with_awards, title="Renamed")
    round_with_awards.refresh_from_db()
    assert round_with_awards.title == "Renamed"


def test_round_update_locks_the_fund_row(round_with_awards, fund_manager, monkeypatch):
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    round_update(actor=fund_manager, round_=round_with_awards, budget=D("900000.00"))
    assert locked == [Fund]


def test_api_refuses_the_cut_with_400(round_with_awards, fund_manager):
    api = APIClient()
    api.force_authenticate(fund_manager)
    response = api.patch(f"/api/v1/rounds/{round_with_awards.pk}/", {"budget": "500000.00"},
                         format="json")
    assert response.status_code == 400
    assert response.json()["budget"] == [MESSAGE]
    round_with_awards.refresh_from_db()
    assert round_with_awards.budget == D("1000000.00")
    ok = api.patch(f"/api/v1/rounds/{round_with_awards.pk}/", {"budget": "800000.00"},
                   format="json")
    assert ok.status_code == 200 and ok.json()["budget"] == "800000.00"


def test_page_shows_the_refusal_next_to_the_budget(client, round_with_awards, fund_manager):
    round_ = round_with_awards
    local = timezone.localtime
    data = {
        "title": round_.title, "slug": round_.slug, "description": "",
        "opens_at": local(round_.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": local(round_.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "budget": "500000.00", "max_award": "500000.00", "min_partner_agencies": 2,
        "min_panel_agencies": 3, "reviews_required": 3,
    }
    client.force_login(fund_manager)
    response = client.post(reverse("fund:round_edit", args=[round_.pk]), data)
    assert response.status_code != 302
    html = response.content.decode()
    assert 'id="id_budget_error"' in html
    assert "The round has BTN 700,000.00 awarded already" in html
    round_.refresh_from_db()
    assert round_.budget == D("1000000.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_budget_cut_and_an_award_at_the_same_instant_never_overspend_the_round():
    """Each thread has its own connection: one of the two must see the other's write."""
    assert connection.vendor == "postgresql"
    manager = UserFactory(fund_manager=True)
    fund = FundFactory()
    ContributionFactory(fund=fund, amount=D("9000000.00"))
    round_ = RoundFactory(fund=fund, budget=D("1000000.00"), max_award=D("700000.00"))
    _award(round_, "700000.00")
    recommended = ProposalFactory(round=round_, recommended=True,
                                  requested_amount=D("300000.00"))
    barrier = threading.Barrier(2)
    outcomes = []

    def run(action):
        try:
            actor = User.objects.get(pk=manager.pk)
            barrier.wait(timeout=30)
            try:
                action(actor)
                outcomes.append("ok")
            except ValidationError:
                outcomes.append("refused")
            except Exception as error:  # anything else is a failure of the test
                outcomes.append(repr(error))
        finally:
            connection.close()

    def cut(actor):
        round_update(actor=actor, round_=type(round_).objects.get(pk=round_.pk),
                     budget=D("800000.00"))

    def award(actor):
        proposal_fund(proposal=Proposal.objects.get(pk=recommended.pk), actor=actor,
                      amount="300000.00",
                      tranches=[{"amount": "300000.00", "due_on": "2027-01-31",
                                 "milestone": "Pilot"}])

    threads = [threading.Thread(target=run, args=(a,)) for a in (cut, award)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    round_.refresh_from_db()
    assert round_remaining_budget(round_=round_) >= 0
