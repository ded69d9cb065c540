"""The home page lists one's invitations (team and learning co-authorship) with Accept and
Decline buttons that work, and nothing of anyone else's (SCREENS.md, DOMAIN.md "Consent")."""

import pytest

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import TeamMember
from rewards.factories import LearningAuthorFactory, LearningFactory
from rewards.models import LearningAuthor

pytestmark = pytest.mark.django_db


def _invitations(html: str) -> str:
    start = html.index('id="invitations"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def invitee(db):
    person = UserFactory(username="karma")
    TeamMemberFactory(user=person, invited=True, role="Data",
                      proposal=ProposalFactory(title="SMS queues"))
    LearningAuthorFactory(user=person, invited=True,
                          learning=LearningFactory(title="Older patients and SMS"))
    # Not invitations to answer: an accepted membership, a declined one, a lapsed one.
    TeamMemberFactory(user=person, proposal=ProposalFactory(title="Already joined"))
    TeamMemberFactory(user=person, state="declined", accepted_at=None,
                      proposal=ProposalFactory(title="Said no"))
    TeamMemberFactory(user=person, invited=True,
                      proposal=ProposalFactory(submitted=True, title="Submitted meanwhile"))
    return person


def test_home_lists_my_invitations_with_buttons(client, invitee):
    client.force_login(invitee)
    section = _invitations(client.get("/").content.decode())
    member = TeamMember.objects.get(user=invitee, proposal__title="SMS queues")
    author = LearningAuthor.objects.get(user=invitee)
    assert '<span class="count">2</span>' in section
    assert "SMS queues" in section and "as Data" in section
    assert "Older patients and SMS" in section
    for name in ("accept", "decline"):
        assert f"/proposals/{member.proposal_id}/team/{member.pk}/transitions/{name}/" in section
        assert f"/learnings/{author.learning_id}/authors/{author.pk}/transitions/{name}/" in section
    for title in ("Already joined", "Said no", "Submitted meanwhile"):
        assert title not in section


def test_accepting_from_home_joins_the_team_and_returns_home(client, invitee):
    client.force_login(invitee)
    member = TeamMember.objects.get(user=invitee, proposal__title="SMS queues")
    response = client.post(
        f"/proposals/{member.proposal_id}/team/{member.pk}/transitions/accept/", {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert TeamMember.objects.get(pk=member.pk).state == "accepted"
    section = _invitations(client.get("/").content.decode())
    assert "SMS queues" not in section and '<span class="count">1</span>' in section


def test_declining_a_co_authorship_from_home(client, invitee):
    client.force_login(invitee)
    author = LearningAuthor.objects.get(user=invitee)
    response = client.post(
        f"/learnings/{author.learning_id}/authors/{author.pk}/transitions/decline/",
        {"next": "/"})
    assert response.status_code == 302
    assert LearningAuthor.objects.get(pk=author.pk).state == "declined"


def test_nobody_else_sees_my_invitations(client, invitee):
    client.force_login(UserFactory())
    section = _invitations(client.get("/").content.decode())
    assert "No invitation is waiting" in section
    assert "SMS queues" not in section and "Older patients" not in section


def test_the_proposal_page_asks_the_invitee_and_shows_states_to_the_lead(client, invitee):
    member = TeamMember.objects.get(user=invitee, proposal__title="SMS queues")
    proposal = member.proposal
    accepted = TeamMemberFactory(proposal=proposal, role="Analyst")
    client.force_login(invitee)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "You are invited to join this team" in page
    assert f"/team/{member.pk}/transitions/accept/" in page
    assert "Edit the proposal" not in page
    client.force_login(accepted.user)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Leave this team" in page and f"/team/{accepted.pk}/transitions/leave/" in page
    assert str(invitee) not in page  # an open invitation is the lead's and the invitee's
    client.force_login(proposal.lead)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert str(invitee) in page and "badge-invited" in page and "badge-accepted" in page
    assert f"/team/{member.pk}/transitions/remove/" in page
    assert f"/team/{accepted.pk}/transitions/remove/" in page


def test_declining_a_team_invitation_says_what_happened_in_the_persons_language(client,
                                                                               invitee):
    """Walkthrough (the kind of item 7): the words after declining were English whatever the
    page's language, and did not say who is told."""
    from django.utils.functional import Promise

    from proposals.team_views import DONE

    assert all(isinstance(sentence, Promise) for sentence in DONE.values())  # translated
    client.force_login(invitee)
    member = TeamMember.objects.get(user=invitee, proposal__title="SMS queues")
    response = client.post(
        f"/proposals/{member.proposal_id}/team/{member.pk}/transitions/decline/",
        {"next": "/"}, follow=True)
    assert TeamMember.objects.get(pk=member.pk).state == "declined"
    [message] = [str(m) for m in response.context["messages"]]
    assert message == ("You declined to join the team of “SMS queues”: its lead is told, and "
                       "nothing more is asked of you.")
