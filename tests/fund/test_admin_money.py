"""The Django admin keeps the fund's money rules: award and tranche amounts are read-only (they
are made by `proposal_fund` and change only by transitions), and a recorded contribution is
lowered, moved or deleted only while its fund's available balance stays at zero or more."""

import datetime
from decimal import Decimal

import pytest

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Contribution, Tranche
from fund.services import fund_available_balance
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def money(admin_user):
    """A fund of 1,000,000 (600,000 + 400,000) with an award of 700,000 in two tranches."""
    fund = FundFactory(name="GNH Fund")
    big = ContributionFactory(fund=fund, amount=D("600000.00"))
    small = ContributionFactory(fund=fund, amount=D("400000.00"))
    round_ = RoundFactory(fund=fund, budget=D("900000.00"), max_award=D("700000.00"))
    proposal = ProposalFactory(round=round_, funded=True, requested_amount=D("700000.00"))
    award = Award.objects.create(proposal=proposal, amount=D("700000.00"), approved_by=admin_user)
    tranches = [
        Tranche.objects.create(award=award, sequence=i, amount=D(amount), milestone=f"M{i}",
                               due_on=datetime.date(2027, i, 1))
        for i, amount in ((1, "400000.00"), (2, "300000.00"))
    ]
    return {"fund": fund, "big": big, "small": small, "award": award, "tranches": tranches}


HISTORY = {"workflow-transitionlog-content_type-object_id-TOTAL_FORMS": "0",
           "workflow-transitionlog-content_type-object_id-INITIAL_FORMS": "0"}


def _contribution_form(c, **overrides):
    return {"fund": c.fund_id, "agency": c.agency_id, "amount": str(c.amount),
            "received_on": c.received_on.isoformat(), "note": c.note, **overrides}


def _amounts(award):
    award.refresh_from_db()
    return award.amount, [t.amount for t in award.tranches.order_by("sequence")]


# --- awards and tranches ---------------------------------------------------------------------
def test_award_amount_and_state_cannot_be_edited(client, admin_user, money):
    award = money["award"]
    client.force_login(admin_user)
    page = client.get(f"/admin/fund/award/{award.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="amount"' not in html and 'name="state"' not in html
    assert 'name="tranches-0-amount"' not in html and 'name="tranches-0-sequence"' not in html
    assert 'name="tranches-0-DELETE"' not in html
    response = client.post(f"/admin/fund/award/{award.pk}/change/", {
        "amount": "1.00", "state": "cancelled", "approved_by": admin_user.pk,
        "approved_at_0": "2026-01-01", "approved_at_1": "10:00:00", "conditions": "Changed",
        "tranches-TOTAL_FORMS": "2", "tranches-INITIAL_FORMS": "2",
        "tranches-MIN_NUM_FORMS": "0", "tranches-MAX_NUM_FORMS": "1000", **HISTORY,
        **{f"tranches-{i}-{k}": v for i, t in enumerate(money["tranches"]) for k, v in {
            "id": t.pk, "award": award.pk, "sequence": 9 + i, "amount": "1.00",
            "due_on": "2027-05-01", "milestone": t.milestone, "DELETE": "on"}.items()},
    })
    # The award is the record of a money decision: the admin only shows it.
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.conditions != "Changed"
    assert _amounts(award) == (D("700000.00"), [D("400000.00"), D("300000.00")])
    assert award.state == Award.State.ACTIVE
    assert sorted(award.tranches.values_list("sequence", "state")) == [
        (1, "scheduled"), (2, "scheduled")]


def test_tranche_amount_sequence_and_award_cannot_be_edited(client, admin_user, money):
    tranche = money["tranches"][0]
    client.force_login(admin_user)
    html = client.get(f"/admin/fund/tranche/{tranche.pk}/change/").content.decode()
    for name in ("amount", "sequence", "state", "award"):
        assert f'name="{name}"' not in html
    response = client.post(f"/admin/fund/tranche/{tranche.pk}/change/", {
        "award": money["award"].pk, "sequence": 5, "amount": "1.00", "due_on": "2027-02-01",
        "milestone": "Edited milestone", "milestone_report": "", **HISTORY,
    })
    assert response.status_code == 403  # a tranche changes only through its transitions
    tranche.refresh_from_db()
    assert (tranche.sequence, tranche.amount) == (1, D("400000.00"))
    assert tranche.milestone != "Edited milestone" and str(tranche.due_on) != "2027-02-01"


def test_awards_and_tranches_are_neither_added_nor_deleted_in_the_admin(client, admin_user,
                                                                          money):
    client.force_login(admin_user)
    assert client.get("/admin/fund/award/add/").status_code == 403
    assert client.get("/admin/fund/tranche/add/").status_code == 403
    assert client.post(f"/admin/fund/award/{money['award'].pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/fund/tranche/{money['tranches'][0].pk}/delete/",
                       {"post": "yes"}).status_code == 403
    client.post("/admin/fund/tranche/", {"action": "delete_selected", "post": "yes",
                                         "_selected_action": [money["tranches"][0].pk]})
    assert Award.objects.count() == 1 and Tranche.objects.count() == 2


# --- contributions ---------------------------------------------------------------------------
def test_lowering_a_contribution_below_what_is_awarded_is_refused(client, admin_user, money):
    big = money["big"]
    client.force_login(admin_user)
    response = client.post(f"/admin/fund/contribution/{big.pk}/change/",
                           _contribution_form(big, amount="200000.00"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lowering this contribution by BTN 400,000.00 would leave the fund" in html
    assert "BTN 300,000.00 available" in html
    big.refresh_from_db()
    assert big.amount == D("600000.00")


def test_lowering_a_contribution_within_the_balance_is_saved(client, admin_user, money):
    big = money["big"]
    client.force_login(admin_user)
    response = client.post(f"/admin/fund/contribution/{big.pk}/change/",
                           _contribution_form(big, amount="300000.00", note="Corrected"))
    assert response.status_code == 302
    big.refresh_from_db()
    assert (big.amount, big.note) == (D("300000.00"), "Corrected")
    assert fund_available_balance(fund=money["fund"]) == D("0.00")


def test_moving_a_contribution_to_another_fund_that_would_overdraw_is_refused(client, admin_user,
                                                                             money):
    big = money["big"]
    client.force_login(admin_user)
    response = client.post(f"/admin/fund/contribution/{big.pk}/change/",
                           _contribution_form(big, fund=FundFactory().pk))
    assert response.status_code == 200
    assert "Moving this contribution to another fund would leave" in response.content.decode()
    big.refresh_from_db()
    assert big.fund == money["fund"]


def test_deleting_a_contribution_that_would_overdraw_is_refused(client, admin_user, money):
    big = money["big"]
    client.force_login(admin_user)
    response = client.post(f"/admin/fund/contribution/{big.pk}/delete/", {"post": "yes"},
                           follow=True)
    assert ("Removing this contribution (BTN 600,000.00) would leave the fund “GNH Fund” below "
            "zero: it has BTN 300,000.00 available") in response.content.decode()
    assert Contribution.objects.filter(pk=big.pk).exists()
    assert fund_available_balance(fund=money["fund"]) == D("300000.00")


def test_deleting_a_contribution_the_fund_can_spare_is_allowed(client, admin_user, money):
    spare = ContributionFactory(fund=money["fund"], amount=D("50000.00"))
    client.force_login(admin_user)
    response = client.post(f"/admin/fund/contribution/{spare.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Contribution.objects.filter(pk=spare.pk).exists()


def test_bulk_delete_is_refused_as_a_whole_when_a_fund_would_go_below_zero(client, admin_user,
                                                                          money):
    other = ContributionFactory(fund=FundFactory(), amount=D("1000.00"))
    selected = [money["small"].pk, other.pk]
    client.force_login(admin_user)
    confirm = client.post("/admin/fund/contribution/", {
        "action": "delete_selected", "_selected_action": selected})
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    response = client.post("/admin/fund/contribution/", {
        "action": "delete_selected", "_selected_action": selected, "post": "yes"}, follow=True)
    assert "would leave the fund “GNH Fund” below zero" in response.content.decode()
    assert Contribution.objects.filter(pk__in=selected).count() == 2


def test_bulk_delete_of_what_the_funds_can_spare_is_allowed(client, admin_user, money):
    spare = [ContributionFactory(fund=money["fund"], amount=D("1000.00")).pk for _ in range(2)]
    client.force_login(admin_user)
    response = client.post("/admin/fund/contribution/", {
        "action": "delete_selected", "_selected_action": spare, "post": "yes"}, follow=True)
    assert "Deleted 2 contribution(s)." in response.content.decode()
    assert not Contribution.objects.filter(pk__in=spare).exists()


def test_the_fund_page_inline_only_adds_contributions(client, admin_user, money):
    fund, big = money["fund"], money["big"]
    client.force_login(admin_user)
    html = client.get(f"/admin/fund/fund/{fund.pk}/change/").content.decode()
    assert 'name="contributions-0-amount"' not in html
    assert 'name="contributions-0-DELETE"' not in html
    agency = AgencyFactory()
    response = client.post(f"/admin/fund/fund/{fund.pk}/change/", {
        "name": fund.name, "slug": fund.slug, "currency": "BTN", "description": "",
        "organisation": "", "organisation_identifier": "", "is_active": "on",
        "contributions-TOTAL_FORMS": "3", "contributions-INITIAL_FORMS": "2",
        "contributions-MIN_NUM_FORMS": "0", "contributions-MAX_NUM_FORMS": "1000",
        "contributions-0-id": big.pk, "contributions-0-fund": fund.pk,
        "contributions-0-amount": "1.00", "contributions-0-DELETE": "on",
        "contributions-0-agency": big.agency_id, "contributions-0-received_on": "2026-01-01",
        "contributions-1-id": money["small"].pk, "contributions-1-fund": fund.pk,
        "contributions-1-DELETE": "on",
        "contributions-2-fund": fund.pk, "contributions-2-agency": agency.pk,
        "contributions-2-amount": "25000.00", "contributions-2-received_on": "2026-02-01",
        "contributions-2-note": "Top-up",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    big.refresh_from_db()
    assert big.amount == D("600000.00")
    assert Contribution.objects.filter(fund=fund).count() == 3
    assert fund_available_balance(fund=fund) == D("325000.00")


def test_only_fund_managers_and_administrators_correct_contributions(money):
    from django.core.exceptions import PermissionDenied

    from fund.services import contribution_update, contributions_delete

    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        contribution_update(actor=staff, contribution=money["big"], note="x")
    with pytest.raises(PermissionDenied):
        contributions_delete(actor=staff, contributions=[money["big"]])
    manager = UserFactory(fund_manager=True)
    contribution_update(actor=manager, contribution=money["big"], note="Checked")
    money["big"].refresh_from_db()
    assert money["big"].note == "Checked"
