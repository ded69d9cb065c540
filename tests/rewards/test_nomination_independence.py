"""No one decides on their own interest (DOMAIN.md): the nominee, the nominator and the
endorser are three different people, and none of them endorses or decides that nomination.
The finding: a fund manager endorsed her own nomination; an HR officer granted his own."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from people.factories import UserFactory
from rewards import selectors, services
from rewards.factories import NominationFactory
from rewards.models import Nomination
from workflow.models import TransitionLog
from workflow.services import available_transitions

pytestmark = pytest.mark.django_db


def _state(nomination) -> str:
    return Nomination.objects.get(pk=nomination.pk).state


def _both_roles():
    user = UserFactory(fund_manager=True)
    user.groups.add(*UserFactory(hr_officer=True).groups.all())
    return type(user).objects.get(pk=user.pk)


# --- endorsing -------------------------------------------------------------------------------
def test_a_fund_manager_cannot_endorse_the_nomination_she_made():
    fm = UserFactory(fund_manager=True)
    nomination = services.nomination_create(actor=fm, nominee=UserFactory(),
                                            justification="Led three experiments.")
    assert "endorse" not in available_transitions(nomination, fm)
    with pytest.raises(PermissionDenied) as error:
        services.nomination_endorse(nomination=nomination, actor=fm)
    assert "Another fund manager must endorse this nomination." in str(error.value)
    assert _state(nomination) == "nominated"
    assert not TransitionLog.objects.exists()


def test_a_fund_manager_cannot_endorse_a_nomination_of_herself():
    fm = UserFactory(fund_manager=True)
    nomination = NominationFactory(nominee=fm)
    with pytest.raises(PermissionDenied) as error:
        services.nomination_endorse(nomination=nomination, actor=fm)
    assert "Another fund manager must endorse this nomination." in str(error.value)
    assert _state(nomination) == "nominated"


def test_another_fund_manager_endorses_and_is_recorded_as_the_endorser():
    nomination = NominationFactory()
    fm = UserFactory(fund_manager=True)
    assert "endorse" in available_transitions(nomination, fm)
    services.nomination_endorse(nomination=nomination, actor=fm)
    fresh = Nomination.objects.get(pk=nomination.pk)
    assert (fresh.state, fresh.endorsed_by) == ("endorsed", fm)


# --- deciding ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["grant", "not_grant"])
@pytest.mark.parametrize("who", ["nominator", "nominee", "endorser"])
def test_an_hr_officer_cannot_decide_a_nomination_of_their_own_interest(name, who):
    hr = _both_roles() if who == "endorser" else UserFactory(hr_officer=True)
    nomination = NominationFactory(**{
        "nominator": {"nominated_by": hr}, "nominee": {"nominee": hr},
        "endorser": {},
    }[who])
    if who == "endorser":
        services.nomination_endorse(nomination=nomination, actor=hr)
    else:
        Nomination.objects.filter(pk=nomination.pk).update(
            state="endorsed", endorsed_by=UserFactory(fund_manager=True))
    nomination = Nomination.objects.get(pk=nomination.pk)
    logs = TransitionLog.objects.count()
    assert name not in available_transitions(nomination, hr)
    assert name not in selectors.nomination_actions(nomination=nomination, user=hr)
    service = services.NOMINATION_TRANSITIONS[name]
    with pytest.raises(PermissionDenied) as error:
        service(nomination=nomination, actor=hr,
                **({"reason": "No post."} if name == "not_grant" else {}))
    assert "Another HR officer must decide on it." in str(error.value)
    assert _state(nomination) == "endorsed"
    assert TransitionLog.objects.count() == logs


def test_three_different_people_and_a_fourth_decides():
    nominator, nominee = UserFactory(), UserFactory()
    fm, hr = UserFactory(fund_manager=True), UserFactory(hr_officer=True)
    nomination = services.nomination_create(actor=nominator, nominee=nominee,
                                            justification="Shared every learning.")
    services.nomination_endorse(nomination=nomination, actor=fm)
    services.nomination_grant(nomination=nomination, actor=hr)
    fresh = Nomination.objects.get(pk=nomination.pk)
    assert fresh.state == "granted"
    assert len({fresh.nominee_id, fresh.nominated_by_id, fresh.endorsed_by_id, hr.pk}) == 4


def test_the_dashboard_lists_only_nominations_one_may_act_on():
    fm, hr = UserFactory(fund_manager=True), UserFactory(hr_officer=True)
    mine = NominationFactory(nominated_by=fm)
    theirs = NominationFactory()
    made_by_hr = NominationFactory(nominated_by=hr, endorsed=True)
    to_decide = NominationFactory(endorsed=True)
    assert set(selectors.nominations_awaiting(user=fm)) == {theirs}
    assert set(selectors.nominations_awaiting(user=hr)) == {to_decide}
    assert mine not in selectors.nominations_awaiting(user=fm)
    assert made_by_hr not in selectors.nominations_awaiting(user=hr)


# --- pages and the API go through the same rule -----------------------------------------------------
def test_the_page_offers_no_endorsement_to_the_nominator_and_refuses_it(client):
    fm = UserFactory(fund_manager=True)
    nomination = NominationFactory(nominated_by=fm)
    client.force_login(fm)
    body = client.get(f"/nominations/{nomination.pk}/").content.decode()
    assert "transitions/endorse/" not in body
    response = client.post(f"/nominations/{nomination.pk}/transitions/endorse/", {})
    assert response.status_code == 403
    assert "Another fund manager must endorse this nomination." in response.content.decode()
    assert _state(nomination) == "nominated"


def test_the_api_refuses_the_endorser_deciding_and_changes_nothing():
    both = _both_roles()
    nomination = NominationFactory()
    services.nomination_endorse(nomination=nomination, actor=both)
    api = APIClient()
    api.force_authenticate(both)
    detail = api.get(f"/api/v1/nominations/{nomination.pk}/").json()
    assert detail["available_transitions"] == []
    response = api.post(f"/api/v1/nominations/{nomination.pk}/transitions/grant/", {},
                        format="json")
    assert response.status_code == 403
    assert "Another HR officer must decide on it." in response.json()["detail"]
    assert _state(nomination) == "endorsed"


def test_the_api_refuses_the_nominator_endorsing():
    fm = UserFactory(fund_manager=True)
    nomination = NominationFactory(nominated_by=fm)
    api = APIClient()
    api.force_authenticate(fm)
    response = api.post(f"/api/v1/nominations/{nomination.pk}/transitions/endorse/", {},
                        format="json")
    assert response.status_code == 403
    assert "Another fund manager must endorse" in response.json()["detail"]
    assert _state(nomination) == "nominated"


def test_the_endorser_of_earlier_nominations_is_read_from_the_log():
    migration = importlib.import_module("rewards.migrations.0002_learning_authors_and_endorser")
    nomination = NominationFactory()
    fm = UserFactory(fund_manager=True)
    services.nomination_endorse(nomination=nomination, actor=fm)
    Nomination.objects.filter(pk=nomination.pk).update(endorsed_by=None)
    migration.endorsers_from_log(apps, None)
    assert Nomination.objects.get(pk=nomination.pk).endorsed_by == fm
