"""A chair (or deputy, or stand-in) is not offered the round they hold a chair's duty in when
starting a proposal: they could never submit it there (a dead end found by a new user), and the
form says why a round is missing."""

import pytest
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import UserFactory
from reviews.models import Panel

pytestmark = pytest.mark.django_db


def _open_round(title):
    return RoundFactory(title=title, state="open",
                        closes_at=timezone.now() + timezone.timedelta(days=20))


@pytest.mark.parametrize("duty", ["chair", "deputy_chair"])
def test_a_chair_is_not_offered_their_round(client, duty):
    person = UserFactory()
    mine = _open_round("Round I chair")
    _open_round("Another round")
    roles = {"chair": person} if duty == "chair" else {"chair": UserFactory(),
                                                       "deputy_chair": person}
    Panel.objects.create(round=mine, name="Panel", **roles)
    client.force_login(person)
    page = client.get("/proposals/new/").content.decode()
    assert "Another round" in page and "Round I chair" not in page
    assert "you could not submit a proposal there" in page
    response = client.post("/proposals/new/", {"round": mine.pk, "title": "x"})
    assert response.status_code == 400  # refused as a round not offered, nothing created
    from proposals.models import Proposal

    assert not Proposal.objects.filter(lead=person).exists()


def test_anyone_else_is_offered_every_open_round(client):
    chair = UserFactory()
    mine = _open_round("Round with a panel")
    Panel.objects.create(round=mine, name="Panel", chair=chair)
    client.force_login(UserFactory())
    page = client.get("/proposals/new/").content.decode()
    assert "Round with a panel" in page and "you could not submit" not in page
