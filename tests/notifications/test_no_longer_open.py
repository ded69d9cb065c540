"""A notice about a proposal the person may no longer see (an invitation that lapsed, a member
removed) says so plainly and links nowhere: the link would answer "not found" (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from proposals.models import TeamMember
from proposals.services.team import team_invite, team_member_remove

pytestmark = pytest.mark.django_db

CLOSED = "no longer open to you"


def _invited_then_removed(colleague, capture, title="Queue by SMS"):
    proposal = ProposalFactory(title=title)
    with capture(execute=True):
        member = team_invite(actor=proposal.lead, proposal=proposal, user=colleague)
    team_member_remove(actor=proposal.lead, member=TeamMember.objects.get(pk=member.pk))
    return proposal


def _pages(client, user):
    client.force_login(user)
    inbox = client.get(reverse("notifications:list"))
    home = client.get("/")
    assert inbox.status_code == 200 and home.status_code == 200
    return inbox.content.decode(), home.content.decode()


def test_a_lapsed_invitation_is_shown_without_a_link(client, django_capture_on_commit_callbacks):
    colleague = UserFactory()
    gone = _invited_then_removed(colleague, django_capture_on_commit_callbacks)
    still = ProposalFactory(title="Mobile clinics")
    with django_capture_on_commit_callbacks(execute=True):
        team_invite(actor=still.lead, proposal=still, user=colleague)
    assert Notification.objects.filter(recipient=colleague).count() == 2
    assert client.get(f"/proposals/{gone.pk}/").status_code in (302, 404)

    for text in _pages(client, colleague):
        assert CLOSED in text
        assert f"/proposals/{gone.pk}/" not in text
        assert f"/proposals/{still.pk}/" in text  # the open invitation still links


def test_the_pages_ask_once_whatever_the_number_of_notices(client,
                                                          django_capture_on_commit_callbacks):
    colleague = UserFactory()
    _invited_then_removed(colleague, django_capture_on_commit_callbacks, "One")
    client.force_login(colleague)
    counts = []
    for more in range(2):
        if more:
            for n in range(3):
                _invited_then_removed(colleague, django_capture_on_commit_callbacks, f"More {n}")
        for url in (reverse("notifications:list"), "/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]
