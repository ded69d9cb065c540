"""The nomination state machine: each transition by role, the log, and bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from people.factories import UserFactory
from rewards import services
from rewards.factories import NominationFactory
from rewards.models import Nomination
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict, history

pytestmark = pytest.mark.django_db


def _state(nomination) -> str:
    return Nomination.objects.get(pk=nomination.pk).state


# --- endorse ----------------------------------------------------------------------------------
def test_fund_manager_endorses_and_it_is_logged():
    nomination = NominationFactory()
    fm = UserFactory(fund_manager=True)
    services.nomination_endorse(nomination=nomination, actor=fm, note="Strong record")
    assert _state(nomination) == "endorsed"
    [log] = history(nomination)
    assert (log.transition, log.from_state, log.to_state, log.actor, log.note) == (
        "endorse", "nominated", "endorsed", fm, "Strong record")


@pytest.mark.parametrize("who", ["hr_officer", "nominator", "nominee", "civil_servant",
                                 "nominee_who_is_fund_manager"])
def test_only_an_unconflicted_fund_manager_endorses(who):
    nominee = UserFactory(fund_manager=(who == "nominee_who_is_fund_manager"))
    nomination = NominationFactory(nominee=nominee)
    actor = {
        "hr_officer": UserFactory(hr_officer=True), "nominator": nomination.nominated_by,
        "nominee": nominee, "civil_servant": UserFactory(),
        "nominee_who_is_fund_manager": nominee,
    }[who]
    with pytest.raises(PermissionDenied):
        services.nomination_endorse(nomination=nomination, actor=actor)
    assert _state(nomination) == "nominated"
    assert not TransitionLog.objects.exists()


# --- grant and not_grant ----------------------------------------------------------------------
def test_hr_officer_grants_an_endorsed_nomination():
    nomination = NominationFactory(endorsed=True)
    services.nomination_grant(nomination=nomination, actor=UserFactory(hr_officer=True))
    assert _state(nomination) == "granted"


def test_hr_officer_declines_with_a_reason():
    nomination = NominationFactory(endorsed=True)
    hr = UserFactory(hr_officer=True)
    services.nomination_not_grant(nomination=nomination, actor=hr, reason="No post this year.")
    fresh = Nomination.objects.get(pk=nomination.pk)
    assert fresh.state == "not_granted"
    assert fresh.decision_reason == "No post this year."
    assert history(fresh).get().note == "No post this year."


@pytest.mark.parametrize("name", ["grant", "not_grant"])
@pytest.mark.parametrize("who", ["fund_manager", "nominator", "civil_servant", "nominee_hr"])
def test_only_an_unconflicted_hr_officer_decides(name, who):
    nominee = UserFactory(hr_officer=(who == "nominee_hr"))
    nomination = NominationFactory(endorsed=True, nominee=nominee)
    actor = {"fund_manager": UserFactory(fund_manager=True),
             "nominator": nomination.nominated_by, "civil_servant": UserFactory(),
             "nominee_hr": nominee}[who]
    with pytest.raises(PermissionDenied):
        kwargs = {"reason": "r"} if name == "not_grant" else {}
        services.NOMINATION_TRANSITIONS[name](nomination=nomination, actor=actor, **kwargs)
    assert _state(nomination) == "endorsed"


@pytest.mark.parametrize("name", ["grant", "not_grant"])
def test_no_decision_without_endorsement(name):
    nomination = NominationFactory()
    kwargs = {"reason": "Some reason"} if name == "not_grant" else {}
    with pytest.raises(ValidationError) as error:
        services.NOMINATION_TRANSITIONS[name](
            nomination=nomination, actor=UserFactory(hr_officer=True), **kwargs)
    assert "endorse" in str(error.value.message_dict)
    assert _state(nomination) == "nominated"
    assert not TransitionLog.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_not_grant_needs_a_reason(reason):
    nomination = NominationFactory(endorsed=True)
    with pytest.raises(ValidationError) as error:
        services.nomination_not_grant(nomination=nomination,
                                      actor=UserFactory(hr_officer=True), reason=reason)
    assert "reason" in error.value.message_dict
    fresh = Nomination.objects.get(pk=nomination.pk)
    assert (fresh.state, fresh.decision_reason) == ("endorsed", "")


# --- withdraw ---------------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["nominated", "endorsed"])
def test_nominator_withdraws_before_a_decision(state):
    nomination = NominationFactory(state=state)
    services.nomination_withdraw(nomination=nomination, actor=nomination.nominated_by)
    assert _state(nomination) == "withdrawn"


@pytest.mark.parametrize("who", ["nominee", "fund_manager", "hr_officer"])
def test_only_the_nominator_withdraws(who):
    nomination = NominationFactory()
    actor = {"nominee": nomination.nominee, "fund_manager": UserFactory(fund_manager=True),
             "hr_officer": UserFactory(hr_officer=True)}[who]
    with pytest.raises(PermissionDenied):
        services.nomination_withdraw(nomination=nomination, actor=actor)
    assert _state(nomination) == "nominated"


@pytest.mark.parametrize("state", ["granted", "not_granted", "withdrawn"])
def test_a_decided_nomination_cannot_be_withdrawn_or_decided_again(state):
    nomination = NominationFactory(state=state)
    with pytest.raises(TransitionStateConflict):
        services.nomination_withdraw(nomination=nomination, actor=nomination.nominated_by)
    with pytest.raises(TransitionStateConflict):
        services.nomination_grant(nomination=nomination, actor=UserFactory(hr_officer=True))
    assert _state(nomination) == state


# --- creating ---------------------------------------------------------------------------------
def test_any_civil_servant_nominates_a_colleague():
    nominator, nominee = UserFactory(), UserFactory()
    nomination = services.nomination_create(actor=nominator, nominee=nominee,
                                            justification="Led the pilot.")
    assert (nomination.state, nomination.nominated_by) == ("nominated", nominator)


def test_nobody_nominates_themselves():
    person = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.nomination_create(actor=person, nominee=person, justification="Me!")
    assert "yourself" in error.value.message_dict["nominee"][0]
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("open_state", ["nominated", "endorsed"])
def test_a_person_has_at_most_one_open_nomination(open_state):
    first = NominationFactory(state=open_state)
    with pytest.raises(ValidationError) as error:
        services.nomination_create(actor=UserFactory(), nominee=first.nominee,
                                   justification="Again.")
    assert "open nomination" in error.value.message_dict["nominee"][0]
    assert Nomination.objects.count() == 1


@pytest.mark.parametrize("closed_state", ["granted", "not_granted", "withdrawn"])
def test_a_new_nomination_after_a_decision_is_fine(closed_state):
    first = NominationFactory(state=closed_state)
    services.nomination_create(actor=UserFactory(), nominee=first.nominee, justification="Again.")
    assert Nomination.objects.count() == 2


def test_justification_is_required():
    with pytest.raises(ValidationError) as error:
        services.nomination_create(actor=UserFactory(), nominee=UserFactory(), justification=" ")
    assert "justification" in error.value.message_dict
    assert not Nomination.objects.exists()


# --- the page's actions -----------------------------------------------------------------------
def test_page_shows_the_reason_error_and_keeps_the_note(client):
    nomination = NominationFactory(endorsed=True)
    hr = UserFactory(hr_officer=True)
    client.force_login(hr)
    response = client.post(f"/nominations/{nomination.pk}/transitions/not_grant/",
                           {"note": "typed note", "reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the reason" in body and "typed note" in body
    assert _state(nomination) == "endorsed"


def test_page_explains_grant_before_endorsement(client):
    nomination = NominationFactory()
    client.force_login(UserFactory(hr_officer=True))
    response = client.post(f"/nominations/{nomination.pk}/transitions/grant/", {})
    assert response.status_code == 400
    assert "must endorse" in response.content.decode()


def test_page_offers_only_the_viewers_actions(client):
    nomination = NominationFactory()
    client.force_login(UserFactory(fund_manager=True))
    body = client.get(f"/nominations/{nomination.pk}/").content.decode()
    assert "transitions/endorse/" in body and "transitions/withdraw/" not in body
    client.force_login(nomination.nominated_by)
    body = client.get(f"/nominations/{nomination.pk}/").content.decode()
    assert "transitions/withdraw/" in body and "transitions/endorse/" not in body


def test_hr_is_offered_a_decision_only_once_endorsed(client):
    nomination = NominationFactory()
    client.force_login(UserFactory(hr_officer=True))
    assert "transitions/grant/" not in client.get(f"/nominations/{nomination.pk}/").content.decode()
    services.nomination_endorse(nomination=nomination, actor=UserFactory(fund_manager=True))
    body = client.get(f"/nominations/{nomination.pk}/").content.decode()
    assert "transitions/grant/" in body and "transitions/not_grant/" in body


def test_self_nomination_on_the_page_is_refused_with_a_message(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post("/nominations/new/", {"nominee": person.pk, "justification": "x"})
    assert response.status_code == 400
    assert "cannot nominate yourself" in response.content.decode()
    assert not Nomination.objects.exists()
