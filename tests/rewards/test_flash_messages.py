"""After a nomination's transition, the page says what happened, to whom (issue 15): never
"Done: endorse."."""

import pytest
from django.contrib.messages import get_messages
from django.utils.functional import Promise

from people.factories import UserFactory
from rewards.factories import NominationFactory
from rewards.views import TRANSITION_DONE, TRANSITION_LABELS

pytestmark = pytest.mark.django_db


def _flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_every_nomination_transition_says_what_happened():
    assert set(TRANSITION_DONE) == set(TRANSITION_LABELS)
    for text in TRANSITION_DONE.values():
        # marked for translation (issue 18), the nominee a named placeholder translators keep
        assert isinstance(text, Promise)
        assert "%(nominee)s" in text and not text.startswith("Done")


def test_endorsing_names_the_nominee(client):
    nominee = UserFactory(first_name="Karma", last_name="Dorji")
    nomination = NominationFactory(nominee=nominee)
    client.force_login(UserFactory(fund_manager=True))
    response = client.post(f"/nominations/{nomination.pk}/transitions/endorse/", {})
    assert response.status_code == 302
    [message] = _flash(response)
    assert message == f"You endorsed the nomination of {nominee}. HR officers decide next."
    assert "Karma Dorji" in message
    assert "Done:" not in message
