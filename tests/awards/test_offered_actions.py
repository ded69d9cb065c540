"""Only the money steps the viewer may take now are offered, and each one that is not offered
is still refused by the service (issue 15). Money steps confirm what will happen first.

One set of rules decides both (fund/rules.py): the award page reads them before it shows a
button; the services refuse with them.
"""

import pytest
from django.core.exceptions import ValidationError

from fund.models import Award, Tranche
from fund.rules import can_cancel_award, can_cancel_tranche, can_release
from fund.services.awards import award_cancel, tranche_cancel, tranche_release
from workflow.models import FormToken
from workflow.services import TransitionStateConflict

from .conftest import make_award


def _page(client, user, award) -> str:
    client.force_login(user)
    response = client.get(f"/awards/{award.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _tranches(award):
    return list(Tranche.objects.filter(award=award).order_by("sequence"))


def test_no_release_of_tranche_2_before_tranche_1_is_reported(client, world):
    first, second = world.tranches
    Tranche.objects.filter(pk=first.pk).update(state="released")
    html = _page(client, world.manager, world.award)
    assert "Release tranche 2" not in html and "Release tranche 1" not in html
    second = Tranche.objects.get(pk=second.pk)
    assert can_release(second, _tranches(world.award)) == (
        "Tranche 1 must be reported before tranche 2 is released.")
    with pytest.raises(ValidationError, match="Tranche 1 must be reported"):
        tranche_release(tranche=second, actor=world.manager)
    # Once tranche 1 is reported, tranche 2 is offered and goes.
    Tranche.objects.filter(pk=first.pk).update(state="reported")
    assert "Release tranche 2" in _page(client, world.manager, world.award)
    tranche_release(tranche=second, actor=world.manager)


def test_no_cancel_award_after_money_went_out(client, world):
    first, _ = world.tranches
    html = _page(client, world.manager, world.award)
    assert "Cancel the award" in html  # nothing paid yet: offered
    Tranche.objects.filter(pk=first.pk).update(state="released")
    html = _page(client, world.manager, world.award)
    assert "Cancel the award" not in html
    assert can_cancel_award(world.award, _tranches(world.award)) == (
        "Money has already been released on this award; it cannot be cancelled.")
    with pytest.raises(ValidationError, match="Money has already been released"):
        award_cancel(award=world.award, actor=world.manager, reason="Changed our mind.")
    assert Award.objects.get(pk=world.award.pk).state == Award.State.ACTIVE


def test_no_release_or_cancel_on_a_completed_award(client, world):
    award = make_award(world.recommended, amount="100000.00", approved_by=world.manager,
                       tranches=[("60000.00", "reported"), ("40000.00", "scheduled")],
                       state="completed")
    html = _page(client, world.manager, award)
    for text in ("Release tranche", "Cancel tranche", "Cancel the award"):
        assert text not in html
    second = _tranches(award)[1]
    assert can_release(second, _tranches(award)) == (
        "This award is completed: no more money is released on it.")
    assert can_cancel_tranche(second) is not None
    with pytest.raises(ValidationError, match="completed"):
        tranche_release(tranche=second, actor=world.manager)
    with pytest.raises(ValidationError, match="completed"):
        tranche_cancel(tranche=second, actor=world.manager, reason="Tidy up.")
    with pytest.raises(TransitionStateConflict):
        award_cancel(award=award, actor=world.manager, reason="Tidy up.")
    assert Tranche.objects.get(pk=second.pk).state == Tranche.State.SCHEDULED


def test_no_cancel_of_a_released_tranche(client, world):
    first, _ = world.tranches
    Tranche.objects.filter(pk=first.pk).update(state="released")
    html = _page(client, world.manager, world.award)
    assert "Cancel tranche 1" not in html
    assert can_cancel_tranche(Tranche.objects.get(pk=first.pk)) == (
        "Tranche 1 was released: released money is not cancelled.")
    with pytest.raises(TransitionStateConflict):
        tranche_cancel(tranche=first, actor=world.manager, reason="Oops.")


def test_applicants_and_conflicted_fund_managers_are_offered_no_money_step(client, world):
    from people.factories import UserFactory

    colleague = UserFactory(fund_manager=True, agency=world.lead.agency)  # a conflict
    for user in (world.lead, world.team, colleague):
        html = _page(client, user, world.award)
        for text in ("Release tranche", "Cancel tranche", "Cancel the award"):
            assert text not in html, (user, text)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tranche_release(tranche=world.tranches[0], actor=colleague)


def test_releasing_asks_first_and_says_what_will_happen(client, world):
    first, _ = world.tranches
    client.force_login(world.manager)
    url = f"/awards/tranches/{first.pk}/transitions/release/"
    page = client.get(url).content.decode()
    assert (f"Release tranche 1 of BTN 250,000.00 to “{world.funded.title}”?"
            .replace("“", "&ldquo;") in page or "Release tranche 1 of BTN 250,000.00 to" in page)
    # contributions 3,000,000, 300,000 paid out on another award: 2,450,000 is left after this
    assert "Fund balance after" in page and "BTN 2,450,000.00" in page
    assert 'name="form_token"' in page
    assert Tranche.objects.get(pk=first.pk).state == Tranche.State.SCHEDULED  # GET did nothing
    token = page.split('name="form_token" value="')[1].split('"')[0]
    response = client.post(url, {"form_token": token, "note": "First district ready."})
    assert response.status_code == 302 and response.url == f"/awards/{world.award.pk}/"
    assert Tranche.objects.get(pk=first.pk).state == Tranche.State.RELEASED
    assert FormToken.objects.filter(token=token, state=FormToken.State.SPENT).exists()
    # The same form sent again has no second effect.
    again = client.post(url, {"form_token": token, "note": "First district ready."})
    assert again.status_code == 302


def test_cancelling_a_tranche_says_the_money_returns_and_asks_why(client, world):
    _, second = world.tranches
    client.force_login(world.manager)
    url = f"/awards/tranches/{second.pk}/transitions/cancel/"
    page = client.get(url).content.decode()
    assert "Returned to the fund" in page and "BTN 150,000.00" in page
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Say why the tranche is cancelled." in (
        response.content.decode())
    assert client.post(url, {"reason": "The second district withdrew."}).status_code == 302
    assert Tranche.objects.get(pk=second.pk).state == Tranche.State.CANCELLED


def test_cancelling_the_award_and_closing_ask_first(client, world):
    client.force_login(world.manager)
    page = client.get(f"/awards/{world.award.pk}/transitions/cancel/").content.decode()
    assert "Cancel the award of BTN 400,000.00" in page and "Available for new awards after" in page
    assert Award.objects.get(pk=world.award.pk).state == Award.State.ACTIVE
    from decimal import Decimal

    from proposals.models import OutcomeReport

    OutcomeReport.objects.create(
        proposal=world.reported, result="did_not_succeed", summary="Low uptake.",
        indicators="12%.", amount_spent=Decimal("1000.00"), citizen_feedback="Print it.",
        next_step="iterate", submitted_by=world.lead)
    page = client.get(f"/awards/close/{world.reported.pk}/").content.decode()
    assert "Accept the outcome report" in page and "Yes, accept and close" in page
    outcome = client.get(f"/awards/outcome/{world.reported.pk}/").content.decode()
    assert f'href="/awards/close/{world.reported.pk}/"' in outcome
    assert client.post(f"/awards/close/{world.reported.pk}/").status_code == 302


def test_a_refused_confirmation_says_why_and_offers_no_button(client, world):
    _, second = world.tranches
    client.force_login(world.manager)
    response = client.get(f"/awards/tranches/{second.pk}/transitions/release/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Tranche 1 must be reported before tranche 2 is released." in page
    assert "Yes, release" not in page
