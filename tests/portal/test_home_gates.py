"""The home page asks a person's own sections only when they may have rows (issue 16,
`portal.home.what_may_wait`): each gate opens for every row its sections show, so the page
shows the same as when every section is asked, with fewer queries for those with nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.factories import NotificationFactory
from people.factories import UserFactory
from portal import home
from portal.selectors import dashboard_for
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.factories import AssignmentFactory
from rewards.factories import LearningAuthorFactory
from tests.awards.conftest import make_award

pytestmark = pytest.mark.django_db


def _shown(sections):
    """What the page shows of each section: its rows' ids, count and label."""
    def ids(value):
        if isinstance(value, dict):
            return {key: ids(item) for key, item in value.items()}
        if isinstance(value, list):
            return [getattr(item, "pk", str(item)) for item in value]
        return str(value)
    return ids(sections)


def _every_section_asked(user, monkeypatch):
    """Every section of the person's asked, whatever the gates say (but whether they have a
    chair's duty, which is exact: it decides whether the chair's sections are there at all)."""
    real = home.what_may_wait

    def every(person):
        gates = real(person)
        return {**dict.fromkeys(gates, True), "chairs": gates["chairs"]}

    with monkeypatch.context() as patch:
        patch.setattr(home, "what_may_wait", every)
        return dashboard_for(user=user, chair_panels=home.chair_panel_ids(user))


def _gated(user):
    return dashboard_for(user=user, chair_panels=home.chair_panel_ids(user))


def test_nothing_waiting_shuts_every_gate_and_asks_fewer_queries(monkeypatch):
    nobody = UserFactory()
    TeamMemberFactory(user=nobody, state="declined", accepted_at=None)  # nothing to answer
    assert not any(home.what_may_wait(nobody).values())
    with CaptureQueriesContext(connection) as gated:
        shown = _gated(nobody)
    with CaptureQueriesContext(connection) as asked:
        every = _every_section_asked(nobody, monkeypatch)
    assert _shown(shown) == _shown(every)
    assert len(gated) < len(asked)


def test_each_kind_of_row_opens_its_gate():
    today = timezone.localdate()
    lead = UserFactory()
    ProposalFactory(lead=lead)  # a draft
    assert home.what_may_wait(lead)["own_open"]

    member = UserFactory()
    TeamMemberFactory(proposal=ProposalFactory(revision_requested=True), user=member)
    gates = home.what_may_wait(member)
    assert gates["own_open"] and not gates["own_funded"] and not gates["invited"]

    funded_member = UserFactory()
    funded = ProposalFactory(funded=True)
    TeamMemberFactory(proposal=funded, user=funded_member)
    make_award(funded, tranches=[("100.00", "released")])
    gates = home.what_may_wait(funded_member)
    assert gates["own_funded"] and gates["own_released"] and not gates["own_open"]
    assert home.milestone_reports_due_for(user=funded_member).exists()

    invited = UserFactory()
    TeamMemberFactory(proposal=ProposalFactory(), user=invited, invited=True)
    gates = home.what_may_wait(invited)
    assert gates["invited"] and not gates["own_open"]  # an invitation is not membership

    author = UserFactory()
    LearningAuthorFactory(user=author, invited=True)
    assert home.what_may_wait(author)["invited"]

    reviewer = UserFactory()
    AssignmentFactory(reviewer=reviewer, due_on=today)
    assert home.what_may_wait(reviewer)["assigned"]

    told = UserFactory()
    NotificationFactory(recipient=told)
    assert home.what_may_wait(told)["notified"]
    # The SQL is built once per process, the person's id put in: others' rows open nothing.
    assert not any(home.what_may_wait(UserFactory()).values())
    assert home.what_may_wait(lead) == {**dict.fromkeys(home.what_may_wait(lead), False),
                                        "own_open": True}


def test_the_page_shows_what_every_section_asked_shows(monkeypatch):
    today = timezone.localdate()
    people = [UserFactory() for _ in range(6)]
    lead, member, invited, reviewer, told, nobody = people
    ProposalFactory(lead=lead)
    ProposalFactory(lead=lead, revision_requested=True)
    funded = ProposalFactory(lead=lead, funded=True)
    make_award(funded, tranches=[("100.00", "released"), ("100.00", "scheduled")])
    TeamMemberFactory(proposal=funded, user=member)
    TeamMemberFactory(proposal=ProposalFactory(), user=invited, invited=True)
    LearningAuthorFactory(user=invited, invited=True)
    AssignmentFactory(reviewer=reviewer, due_on=today)
    NotificationFactory(recipient=told, title="Told")
    for person in people:
        assert _shown(_gated(person)) == _shown(_every_section_asked(person, monkeypatch)), person
    assert _shown(_gated(lead))["drafts"]["items"]
    assert _shown(_gated(member))["milestones_due"]["items"]
    assert _shown(_gated(invited))["invitations"]["count"] == "2"
    assert _shown(_gated(reviewer))["reviews_due"]["count"] == "1"
    assert _shown(_gated(told))["notifications"]["items"]


def test_the_chairs_gate_is_whether_the_person_has_a_chairs_duty(client):
    from reviews.factories import PanelFactory
    from reviews.models import PanelStandIn

    chair, deputy, stand_in, member = (UserFactory() for _ in range(4))
    panel = PanelFactory(chair=chair, deputy_chair=deputy, members=[member, stand_in])
    other = PanelFactory(members=[])
    PanelStandIn.objects.create(panel=other, proposal=ProposalFactory(in_review=True),
                                chair=stand_in, named_by=UserFactory(fund_manager=True))
    for person in (chair, deputy, stand_in, member, UserFactory()):
        assert home.what_may_wait(person)["chairs"] is bool(home.chair_panel_ids(person))
    assert home.chair_panel_ids(stand_in) == {other.pk}
    assert not home.what_may_wait(member)["chairs"]
    # Without a duty, the home page never asks for the panels (nor shows a chair's link).
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert not [q for q in queries if '"reviews_panel"' in q["sql"].split(" WHERE ")[0]
                and "EXISTS" not in q["sql"]]
    assert "Review panels" not in page
    for person in (chair, stand_in):
        client.force_login(person)
        assert "Review panels" in client.get("/").content.decode()
    assert panel.pk in home.chair_panel_ids(chair)
