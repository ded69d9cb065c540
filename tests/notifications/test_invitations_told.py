"""Being named on someone else's work is an invitation the person hears about (issue 12)."""

import pytest

from notifications.models import Notification
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from proposals.services.team import team_invite, team_member_accept

pytestmark = pytest.mark.django_db


def test_the_invitee_and_then_the_lead_are_told(django_capture_on_commit_callbacks):
    proposal = ProposalFactory(title="Queue by SMS")
    colleague = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        member = team_invite(actor=proposal.lead, proposal=proposal, user=colleague,
                             role="Analyst")
    told = Notification.objects.get(recipient=colleague)
    assert told.title == "Invitation to join a proposal's team: Queue by SMS"
    assert told.url == f"/proposals/{proposal.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        team_member_accept(actor=colleague, member=member)
    assert Notification.objects.filter(recipient=proposal.lead,
                                       title__startswith="Your invitation was accepted").exists()
