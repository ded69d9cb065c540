"""The money confirmation pages answer a refusal the same way on GET and POST: the object's
state refuses it → 409; who you are → 403; bad input → 400."""

from fund.models import Award, Tranche


def _status(client, url, data=None):
    return (client.get(url) if data is None else client.post(url, data)).status_code


def test_a_released_tranche_is_a_state_refusal_on_get_and_post(client, world):
    first, _ = world.tranches
    Tranche.objects.filter(pk=first.pk).update(state=Tranche.State.RELEASED)
    client.force_login(world.manager)
    url = f"/awards/tranches/{first.pk}/transitions/release/"
    response = client.get(url)
    assert response.status_code == 409
    assert "Yes, release" not in response.content.decode()
    assert _status(client, url, {"note": ""}) == 409
    cancel = f"/awards/tranches/{first.pk}/transitions/cancel/"
    assert _status(client, cancel) == 409
    assert _status(client, cancel, {"reason": "Too late."}) == 409


def test_a_waiting_tranche_is_a_state_refusal_on_get_and_post(client, world):
    _, second = world.tranches
    client.force_login(world.manager)
    url = f"/awards/tranches/{second.pk}/transitions/release/"
    assert _status(client, url) == 409
    assert _status(client, url, {"note": ""}) == 409


def test_cancelling_an_award_after_money_went_out_is_a_state_refusal(client, world):
    first, _ = world.tranches
    Tranche.objects.filter(pk=first.pk).update(state=Tranche.State.RELEASED)
    client.force_login(world.manager)
    url = f"/awards/{world.award.pk}/transitions/cancel/"
    response = client.get(url)
    assert response.status_code == 409
    assert "Money has already been released on this award" in response.content.decode()
    assert _status(client, url, {"reason": "Changed our mind."}) == 409
    assert _status(client, url, {"reason": ""}) == 409  # the state, whatever was typed
    assert Award.objects.get(pk=world.award.pk).state == Award.State.ACTIVE


def test_a_completed_awards_cancel_page_is_a_state_refusal(client, world):
    client.force_login(world.manager)
    Award.objects.filter(pk=world.reported_award.pk).update(state=Award.State.COMPLETED)
    url = f"/awards/{world.reported_award.pk}/transitions/cancel/"
    assert _status(client, url) == 409
    assert _status(client, url, {"reason": "Why not."}) == 409


def test_who_you_are_is_403_and_bad_input_is_400(client, world):
    first, _ = world.tranches
    client.force_login(world.lead)
    url = f"/awards/tranches/{first.pk}/transitions/release/"
    assert _status(client, url) == 403
    assert _status(client, url, {"note": ""}) == 403
    client.force_login(world.manager)
    cancel = f"/awards/tranches/{first.pk}/transitions/cancel/"
    assert _status(client, cancel) == 200
    assert _status(client, cancel, {"reason": ""}) == 400
