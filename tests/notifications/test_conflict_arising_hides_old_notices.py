"""A conflicted viewer gets no notifications about the proposal: also those sent before the
conflict arose disappear from the inbox (issue 12; found by an outsider's attack)."""

import pytest

from notifications.models import Notification
from notifications.selectors import notifications_for, unread_count
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _notice(recipient, subject, title):
    return Notification.objects.create(recipient=recipient, subject=subject, title=title,
                                       dedupe_key=f"{recipient.pk}-{title}")


def test_notices_about_a_proposal_vanish_once_the_viewer_is_conflicted():
    chair = UserFactory(agency=AgencyFactory())
    proposal = ProposalFactory(in_review=True)
    other = AssignmentFactory(proposal=proposal)
    own = AssignmentFactory(proposal=proposal, reviewer=chair)
    for subject, title in ((proposal, "About the proposal"), (other, "Review submitted"),
                           (own, "Your assignment")):
        _notice(chair, subject, title)
    assert len(notifications_for(user=chair)) == 3
    proposal.partner_agencies.add(chair.agency)
    assert [n.title for n in notifications_for(user=chair)] == ["Your assignment"]
    assert unread_count(user=chair) == 1


def test_the_applicant_keeps_the_notices_about_their_own_proposal():
    proposal = ProposalFactory(in_review=True)
    _notice(proposal.lead, proposal, "Sent to review")
    assert [n.title for n in notifications_for(user=proposal.lead)] == ["Sent to review"]
