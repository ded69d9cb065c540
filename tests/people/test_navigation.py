"""Navigation by role (portal.context_processors.roles, templates/nav.html), issue 15.

Each role's entries are named, and every link the navigation offers opens for that person:
the navigation comes from the rules the pages apply, so it never leads to a refusal.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory

from people.factories import UserFactory
from portal.context_processors import roles
from proposals.factories import ProposalFactory
from reviews.factories import PanelFactory
from reviews.models import PanelStandIn

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    """(label, href) of every link inside the main <nav>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.href = None
        self.text = ""
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "nav" and named.get("aria-label") == "Main":
            self.depth = 1
        elif tag == "a" and self.depth:
            self.href, self.text = named.get("href"), ""

    def handle_data(self, data):
        if self.href is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            label = re.sub(r"\s+", " ", self.text).strip()
            self.links.append((label, self.href))
            self.href = None
        elif tag == "nav":
            self.depth = 0


def nav_links(client) -> dict[str, str]:
    parser = _Links()
    parser.feed(client.get("/").content.decode())
    assert parser.links, "no navigation found"
    return dict(parser.links)


def assert_every_link_opens(client, links: dict[str, str]):
    refused = {}
    for label, href in links.items():
        status = client.get(href, follow=True).status_code  # "My record" goes to /people/<id>/
        if status != 200:
            refused[label] = (href, status)
    assert not refused, refused


@pytest.fixture
def panel(db):
    chair, deputy, member, stand_in = UserFactory.create_batch(4)
    panel = PanelFactory(chair=chair, members=[member, stand_in])
    panel.deputy_chair = deputy
    panel.save(update_fields=["deputy_chair"])
    proposal = ProposalFactory(round=panel.round)
    PanelStandIn.objects.create(panel=panel, proposal=proposal, chair=stand_in,
                                named_by=UserFactory(fund_manager=True))
    return panel


ALWAYS = {"Dashboard", "Learnings", "Search", "My reviews", "My record", "Notifications",
          "Two-factor sign-in", "Sign-in and API tokens"}


def test_a_civil_servant_may_nominate_and_sees_their_own_recognitions(client, civil_servant):
    client.force_login(civil_servant)
    links = nav_links(client)
    assert ALWAYS | {"Open rounds", "New proposal", "My proposals", "Nominations",
                     "My recognitions"} == set(links)
    assert links["Nominations"] == "/nominations/"
    assert links["My recognitions"] == "/recognitions/"
    assert_every_link_opens(client, links)
    # the way to the nomination form: from the home page and the recognitions page
    assert 'href="/nominations/new/"' in client.get("/").content.decode()
    assert 'href="/nominations/new/"' in client.get("/recognitions/").content.decode()
    assert client.get("/nominations/new/").status_code == 200


@pytest.mark.parametrize("duty", ["chair", "deputy_chair", "stand_in"])
def test_every_kind_of_chair_has_review_panels(client, panel, duty):
    person = (panel.stand_ins.get().chair if duty == "stand_in" else getattr(panel, duty))
    client.force_login(person)
    links = nav_links(client)
    assert links.get("Review panels") == "/reviews/panels/"
    assert_every_link_opens(client, links)
    # the list leads each of them to the panel's page, which opens
    assert f'<a href="/reviews/panels/{panel.pk}/">{panel.name}</a>' in client.get(
        "/reviews/panels/").content.decode()
    assert client.get(f"/reviews/panels/{panel.pk}/").status_code == 200


def test_a_panel_member_who_chairs_nothing_has_no_review_panels(client, panel):
    member = panel.members.exclude(pk=panel.stand_ins.get().chair_id).get()
    client.force_login(member)
    links = nav_links(client)
    assert "Review panels" not in links
    assert "My reviews" in links
    # the panels it sits on are listed, without a link to a page it may not open
    page = client.get("/reviews/panels/").content.decode()
    assert panel.name in page and f'href="/reviews/panels/{panel.pk}/"' not in page
    assert client.get(f"/reviews/panels/{panel.pk}/").status_code == 403


def test_a_fund_manager_has_the_fund_s_work(client, fund_manager):
    client.force_login(fund_manager)
    links = nav_links(client)
    assert ALWAYS | {"Open rounds", "New proposal", "My proposals", "Screening queue", "All proposals", "Funds",
                     "Rounds", "Review panels", "Awards", "People", "Recognitions",
                     "Nominations", "Imports and exports", "Background jobs",
                     "Analytics"} <= set(links)
    assert "My recognitions" not in links and "Admin" not in links
    assert links["Recognitions"] == "/recognitions/"
    assert links["Analytics"] == "/analytics/"
    assert links["All proposals"] == "/proposals/all/"
    assert_every_link_opens(client, links)


def test_an_hr_officer_has_people_recognitions_and_nominations(client, hr_officer):
    client.force_login(hr_officer)
    links = nav_links(client)
    assert ALWAYS | {"People", "Recognitions", "Nominations"} == set(links)
    assert_every_link_opens(client, links)


def test_an_administrator_has_the_admin(client, admin_user):
    client.force_login(admin_user)
    links = nav_links(client)
    assert links["Admin"] == "/admin/"
    assert_every_link_opens(client, links)


def test_the_current_page_is_marked(client, hr_officer):
    client.force_login(hr_officer)
    page = client.get("/recognitions/").content.decode()
    assert re.search(r'<a href="/recognitions/" aria-current="page">Recognitions</a>', page)


def test_the_chair_question_is_asked_only_when_the_navigation_needs_it(
        civil_servant, fund_manager, panel, django_assert_num_queries):
    from django.template import engines

    condition = engines["django"].from_string(
        "{% if roles.fund_manager or roles.chairs_panel %}panels{% endif %}")
    request = RequestFactory().get("/")
    request.user = fund_manager
    context = roles(request)
    assert context["roles"]["fund_manager"] and context["roles"]["may_nominate"]
    with django_assert_num_queries(0):  # a fund manager sees every panel: no question asked
        assert condition.render(context) == "panels"
    request.user = panel.chair
    context = roles(request)
    with django_assert_num_queries(1):
        assert condition.render(context) == "panels"
        assert bool(context["roles"]["chairs_panel"]) is True  # asked once
    request.user = civil_servant
    assert bool(roles(request)["roles"]["chairs_panel"]) is False


def test_the_menu_button_folds_only_the_signed_in_navigation(client, civil_servant):
    page = client.get("/").content.decode()
    assert "nav-toggle" not in page  # two links for a visitor: nothing to fold
    client.force_login(civil_servant)
    page = client.get("/").content.decode()
    assert re.search(r'<button type="button" class="nav-toggle" aria-expanded="false" '
                     r'aria-controls="site-nav-body">Menu</button>', page)
    assert 'id="site-nav-body"' in page
    assert '<script src="/static/js/layout.js"></script>' in page
