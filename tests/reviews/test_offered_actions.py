"""Only actions the viewer may take now are offered on the reviews pages (issue 15): the
stand-in page offers its form only while the proposal needs a stand-in chair (the rule of the
fund managers' stalled list), and a deputy chair finds their panels on "My reviews"."""

import html

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from reviews import services
from reviews.models import PanelStandIn


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _stand_in_url(scene) -> str:
    return f"/reviews/panels/{scene.panel.pk}/stand-ins/{scene.proposal.pk}/"


def test_no_stand_in_form_while_the_chair_acts(scene):
    client = _client(scene.fund_manager)
    page = _text(client.get(_stand_in_url(scene)))
    assert "does not need a stand-in chair now" in page
    assert f"The panel's chair, {scene.chair}, acts on this proposal." in page
    assert 'name="chair"' not in page and "Name the stand-in chair</button>" not in page
    # A hand-made post changes nothing either.
    response = client.post(_stand_in_url(scene), {"chair": scene.other_member.pk})
    assert response.status_code == 200 and not PanelStandIn.objects.exists()


def test_the_form_is_offered_when_chair_and_deputy_are_conflicted(scene):
    scene.chair.agency = scene.moe  # a partner agency of the proposal
    scene.chair.save()
    page = _text(_client(scene.fund_manager).get(_stand_in_url(scene)))
    assert "does not need a stand-in chair" not in page
    assert 'name="chair"' in page and str(scene.other_member) in page


def test_once_a_stand_in_acts_the_form_is_no_longer_offered(scene):
    scene.chair.agency = scene.moe
    scene.chair.save()
    services.panel_stand_in_name(actor=scene.fund_manager, panel=scene.panel,
                                 proposal=scene.proposal, chair=scene.other_member)
    page = _text(_client(scene.fund_manager).get(_stand_in_url(scene)))
    assert "does not need a stand-in chair now" in page
    assert f"stand-in chair, {scene.other_member}, acts on this proposal" in page
    assert 'name="chair"' not in page


def test_a_deputy_chair_finds_their_panels_on_my_reviews(scene):
    deputy = UserFactory(agency=AgencyFactory(code="GNH"))
    scene.panel.members.add(deputy)
    services.panel_update(actor=scene.fund_manager, panel=scene.panel, deputy_chair=deputy)
    page = _text(_client(deputy).get("/reviews/"))
    assert "Panels I chair or deputise on" in page and f'href="/reviews/panels/{scene.panel.pk}/"' in page
    # Someone with no chair duty sees no such section.
    assert "Panels I chair or deputise on" not in _text(_client(scene.members[0]).get("/reviews/"))


def test_my_reviews_is_a_constant_number_of_queries(scene):
    from fund.factories import RoundFactory
    from reviews.factories import PanelFactory

    client = _client(scene.chair)
    client.get("/reviews/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/reviews/").status_code == 200
    for _ in range(4):
        PanelFactory(round=RoundFactory(), chair=scene.chair, members=scene.members)
    with CaptureQueriesContext(connection) as five:
        page = _text(client.get("/reviews/"))
    assert page.count('href="/reviews/panels/') >= 5
    assert len(five) == len(one)
