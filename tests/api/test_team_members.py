"""`team-members/` (API.md): invitations and memberships, the lead's invitations, and the
consent transitions; 409 for a wrong state, 403 for someone not allowed, 404 for what one
may not see, and nothing changed on any refusal."""

import pytest

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal, TeamMember
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/team-members/"


def transition(member, name):
    return f"{URL}{member.pk}/transitions/{name}/"


def _state(member) -> str:
    return TeamMember.objects.get(pk=member.pk).state


@pytest.fixture
def scene(db):
    proposal = ProposalFactory(ready=True)
    return {
        "proposal": proposal,
        "accepted": TeamMemberFactory(proposal=proposal, role="Analyst"),
        "invited": TeamMemberFactory(proposal=proposal, invited=True, role="Design"),
    }


def test_each_person_lists_their_own_rows_and_the_lead_all_of_theirs(api, scene):
    lead, invited = scene["proposal"].lead, scene["invited"]
    ids = {row["id"] for row in api(lead).get(URL).json()["results"]}
    assert ids == {scene["accepted"].pk, invited.pk}
    rows = api(invited.user).get(URL).json()["results"]
    assert [(r["id"], r["state"], r["proposal"], r["role"]) for r in rows] == [
        (invited.pk, "invited", scene["proposal"].pk, "Design")]
    assert rows[0]["available_transitions"] == ["accept", "decline"]
    assert api(scene["accepted"].user).get(URL).json()["results"][0][
        "available_transitions"] == ["leave"]
    assert api(UserFactory()).get(URL).json()["count"] == 0
    assert api(UserFactory()).get(f"{URL}{invited.pk}/").status_code == 404
    assert api(None).get(URL).status_code == 401


def test_the_lead_invites_by_post(api, scene):
    colleague = UserFactory()
    body = {"proposal": scene["proposal"].pk, "user": colleague.pk, "role": "Field work"}
    response = api(scene["proposal"].lead).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["user"], data["state"], data["role"]) == (colleague.pk, "invited", "Field work")
    assert data["available_transitions"] == ["remove"]


@pytest.mark.parametrize("who, status", [
    ("accepted", 403), ("invited", 403), ("stranger", 404), ("fund_manager", 404),
])
def test_only_the_lead_invites(api, scene, who, status):
    actor = {"accepted": scene["accepted"].user, "invited": scene["invited"].user,
             "stranger": UserFactory(), "fund_manager": UserFactory(fund_manager=True)}[who]
    colleague = UserFactory()
    response = api(actor).post(URL, {"proposal": scene["proposal"].pk, "user": colleague.pk},
                               format="json")
    assert response.status_code == status
    assert not TeamMember.objects.filter(user=colleague).exists()


def test_inviting_oneself_or_after_submission_is_400(api, scene):
    lead = scene["proposal"].lead
    response = api(lead).post(URL, {"proposal": scene["proposal"].pk, "user": lead.pk},
                              format="json")
    assert response.status_code == 400 and "user" in response.json()
    submitted = ProposalFactory(submitted=True, lead=lead)
    response = api(lead).post(URL, {"proposal": submitted.pk, "user": UserFactory().pk},
                              format="json")
    assert response.status_code == 400 and "proposal" in response.json()
    assert not submitted.team.exists()


def test_the_invited_person_accepts(api, scene):
    invited = scene["invited"]
    response = api(invited.user).post(transition(invited, "accept"), {"note": "Glad to"},
                                      format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "accepted" and response.json()["accepted_at"]
    assert _state(invited) == "accepted"


@pytest.mark.parametrize("who", ["lead", "accepted"])
def test_nobody_else_accepts_for_them(api, scene, who):
    invited = scene["invited"]
    actor = scene["proposal"].lead if who == "lead" else scene["accepted"].user
    response = api(actor).post(transition(invited, "accept"), {}, format="json")
    # The lead sees the row (403); a fellow member does not (404).
    assert response.status_code == (403 if who == "lead" else 404)
    assert _state(invited) == "invited"
    assert not TransitionLog.objects.exists()


def test_wrong_state_is_409_with_the_state(api, scene):
    accepted = scene["accepted"]
    response = api(accepted.user).post(transition(accepted, "accept"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "accepted"
    invited = scene["invited"]
    response = api(invited.user).post(transition(invited, "leave"), {}, format="json")
    assert response.status_code == 409 and _state(invited) == "invited"


def test_a_member_leaves_and_the_lead_removes(api, scene):
    accepted, invited = scene["accepted"], scene["invited"]
    assert api(accepted.user).post(transition(accepted, "leave"), {},
                                   format="json").status_code == 200
    assert _state(accepted) == "left"
    response = api(invited.user).post(transition(invited, "remove"), {}, format="json")
    assert response.status_code == 403 and _state(invited) == "invited"
    response = api(scene["proposal"].lead).post(transition(invited, "remove"), {},
                                                format="json")
    assert response.status_code == 200 and _state(invited) == "removed"


def test_the_lead_cannot_remove_after_submission(api):
    proposal = ProposalFactory(submitted=True)
    member = TeamMemberFactory(proposal=proposal)
    response = api(proposal.lead).post(transition(member, "remove"), {}, format="json")
    assert response.status_code == 400
    assert _state(member) == "accepted"
    detail = api(proposal.lead).get(f"{URL}{member.pk}/").json()
    assert detail["available_transitions"] == []


def test_unknown_transition_is_404(api, scene):
    invited = scene["invited"]
    assert api(invited.user).post(transition(invited, "invite"), {},
                                  format="json").status_code == 404


# --- the proposal's nested team -------------------------------------------------------------------
def test_the_nested_team_shows_the_team_as_it_stands(api, scene):
    TeamMemberFactory(proposal=scene["proposal"], state="declined", accepted_at=None)
    data = api(scene["proposal"].lead).get(f"/api/v1/proposals/{scene['proposal'].pk}/").json()
    assert data["team"] == [
        {"user": scene["accepted"].user.pk, "role": "Analyst"},
        {"user": scene["invited"].user.pk, "role": "Design"},
    ]


def test_an_invitee_reads_the_proposal_but_may_not_change_it(api, scene):
    invited, proposal = scene["invited"], scene["proposal"]
    url = f"/api/v1/proposals/{proposal.pk}/"
    assert api(invited.user).get(url).status_code == 200
    assert api(invited.user).get(url).json()["available_transitions"] == []
    response = api(invited.user).patch(url, {"title": "Hijacked"}, format="json")
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title


def test_a_member_cannot_change_the_nested_team(api, scene):
    proposal, accepted = scene["proposal"], scene["accepted"]
    response = api(accepted.user).patch(f"/api/v1/proposals/{proposal.pk}/",
                                        {"team": [], "title": "Renamed"}, format="json")
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title
    assert set(proposal.team.values_list("state", flat=True)) == {"accepted", "invited"}


def test_the_leads_nested_team_invites_and_removes(api, scene):
    proposal, newcomer = scene["proposal"], UserFactory()
    response = api(proposal.lead).patch(f"/api/v1/proposals/{proposal.pk}/", {"team": [
        {"user": scene["accepted"].user.pk, "role": "Analyst"},
        {"user": newcomer.pk, "role": "New"},
    ]}, format="json")
    assert response.status_code == 200, response.json()
    assert _state(scene["invited"]) == "removed"
    assert proposal.team.get(user=newcomer).state == "invited"
    assert proposal.team.count() == 3
