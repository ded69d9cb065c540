"""Funds, contributions and the round's state machine (open, close, archive)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fund.factories import FundFactory, RoundFactory
from fund.models import Round
from fund.services import (
    ROUND_TRANSITIONS,
    contribution_create,
    fund_create,
    fund_update,
    round_archive,
    round_close,
    round_create,
    round_open,
    round_update,
)
from fund.services.funds import rounds_close_due
from people.factories import AgencyFactory, UserFactory
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def fm():
    return UserFactory(fund_manager=True)


def new_round(fm, **overrides):
    now = timezone.now()
    kwargs = {"fund": FundFactory(), "title": "Round 2026", "opens_at": now,
              "closes_at": now + timedelta(days=30), "budget": Decimal("5000000.00"),
              "max_award": Decimal("1000000.00"), **overrides}
    return round_create(actor=fm, **kwargs)


def test_round_transitions_are_mapped_by_name():
    assert ROUND_TRANSITIONS == {"open": round_open, "close": round_close,
                                 "archive": round_archive}


def test_new_round_is_a_draft_with_the_default_rubric(fm):
    round_ = new_round(fm)
    assert round_.state == Round.State.DRAFT
    assert list(round_.criteria.values_list("name", flat=True)) == [
        "Public value", "Novelty", "Feasibility and cost", "Cross-agency collaboration",
        "Citizen co-creation", "Learning potential"]
    assert round_.slug == "round-2026"
    assert new_round(fm).slug == "round-2026-2"


@pytest.mark.parametrize("overrides, field, message", [
    ({"max_award": Decimal("6000000.00")}, "max_award",
     "The maximum award cannot be more than the round's budget."),
    ({"closes_at": timezone.now() - timedelta(days=1)}, "closes_at",
     "The round must close after it opens."),
    ({"min_partner_agencies": 0}, "min_partner_agencies",
     "At least one agency (the lead's) is needed."),
    ({"budget": Decimal("-1")}, "budget", None),
    ({"budget": "lots"}, "budget", None),
])
def test_round_create_refuses_bad_input(fm, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        new_round(fm, **overrides)
    errors = caught.value.message_dict
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not Round.objects.exists()


def test_only_fund_managers_create_rounds_and_funds():
    with pytest.raises(PermissionDenied):
        new_round(UserFactory(hr_officer=True))
    with pytest.raises(PermissionDenied):
        fund_create(actor=UserFactory(), name="Fund")


def test_open_close_archive_with_log(fm):
    round_ = new_round(fm)
    round_ = round_open(round_=round_, actor=fm, note="Call published.")
    assert round_.state == Round.State.OPEN and round_.is_accepting_proposals
    round_ = round_close(round_=round_, actor=fm)
    round_ = round_archive(round_=round_, actor=fm)
    round_.refresh_from_db()
    assert round_.state == Round.State.ARCHIVED
    rows = list(TransitionLog.objects.for_object(round_))
    assert [(r.transition, r.from_state, r.to_state, r.actor) for r in rows] == [
        ("open", "draft", "open", fm), ("close", "open", "closed", fm),
        ("archive", "closed", "archived", fm)]
    assert rows[0].note == "Call published."


def test_open_needs_a_rubric(fm):
    round_ = new_round(fm)
    round_.criteria.all().delete()
    with pytest.raises(ValidationError) as caught:
        round_open(round_=round_, actor=fm)
    assert caught.value.message_dict == {
        "criteria": ["The round needs at least one rubric criterion before it opens."]}
    round_.refresh_from_db()
    assert round_.state == Round.State.DRAFT


def test_open_needs_a_closing_date_in_the_future(fm):
    round_ = RoundFactory(draft=True, opens_at=timezone.now() - timedelta(days=20),
                          closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        round_open(round_=round_, actor=fm)
    assert caught.value.message_dict == {"closes_at": [
        "The closing date has passed; move it into the future to open the round."]}


def test_round_transitions_by_role_and_state(fm):
    draft = RoundFactory(draft=True)
    for user in (UserFactory(), UserFactory(hr_officer=True)):
        with pytest.raises(PermissionDenied):
            round_open(round_=draft, actor=user)
    with pytest.raises(TransitionStateConflict):
        round_archive(round_=RoundFactory(), actor=fm)  # open: close first
    with pytest.raises(TransitionStateConflict):
        round_close(round_=draft, actor=fm)
    with pytest.raises(TransitionStateConflict):
        round_open(round_=RoundFactory(closed=True), actor=fm)


def test_rounds_close_by_themselves_at_closes_at(fm):
    due = RoundFactory(closes_at=timezone.now() - timedelta(minutes=1))
    later = RoundFactory()
    assert [r.pk for r in rounds_close_due()] == [due.pk]
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, later.state) == (Round.State.CLOSED, Round.State.OPEN)
    log = TransitionLog.objects.for_object(due).get()
    assert log.actor is None and log.transition == "close"


def test_round_update_refuses_state_and_unknown_fields(fm):
    round_ = RoundFactory()
    with pytest.raises(ValidationError) as caught:
        round_update(actor=fm, round_=round_, state="archived")
    assert "state" in caught.value.message_dict
    round_update(actor=fm, round_=round_, title="Renamed", max_award=Decimal("2000000.00"))
    round_.refresh_from_db()
    assert (round_.title, round_.state) == ("Renamed", Round.State.OPEN)
    with pytest.raises(ValidationError):
        round_update(actor=fm, round_=RoundFactory(archived=True), title="No")


def test_fund_create_and_update(fm):
    fund = fund_create(actor=fm, name="GNH Innovation Fund")
    assert (fund.slug, fund.currency) == ("gnh-innovation-fund", "BTN")
    fund_update(actor=fm, fund=fund, description="Cross-sectoral.")
    with pytest.raises(ValidationError):
        fund_update(actor=fm, fund=fund, id=99)


@pytest.mark.parametrize("amount, message", [
    (Decimal("0"), "A contribution must be more than zero."),
    (Decimal("-100.00"), "A contribution must be more than zero."),
    ("NaN", "A contribution must be more than zero."),
    ("abc", "Enter an amount in numbers."),
    (None, "Enter an amount in numbers."),
])
def test_contribution_must_be_positive(fm, amount, message):
    with pytest.raises(ValidationError) as caught:
        contribution_create(actor=fm, fund=FundFactory(), agency=AgencyFactory(), amount=amount,
                            received_on=timezone.localdate())
    assert caught.value.message_dict == {"amount": [message]}


def test_contribution_keeps_exact_decimals(fm):
    contribution = contribution_create(actor=fm, fund=FundFactory(), agency=AgencyFactory(),
                                       amount=0.1, received_on=timezone.localdate())
    contribution.refresh_from_db()
    assert contribution.amount == Decimal("0.10") and contribution.recorded_by == fm
    with pytest.raises(PermissionDenied):
        contribution_create(actor=UserFactory(), fund=FundFactory(), agency=AgencyFactory(),
                            amount=Decimal("1"), received_on=timezone.localdate())
