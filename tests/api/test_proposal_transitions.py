"""POST proposals/<id>/transitions/<name>/: 200, 400, 403, 404 and 409 for each transition."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from reviews.models import Panel
from workflow.services import history

pytestmark = pytest.mark.django_db


def url(proposal, name):
    return f"/api/v1/proposals/{proposal.pk}/transitions/{name}/"


def run(api, user, proposal, name, body=None):
    return api(user).post(url(proposal, name), body or {}, format="json")


def state_of(proposal) -> str:
    return Proposal.objects.get(pk=proposal.pk).state


@pytest.fixture
def chair(open_round):
    """The chair of a panel of the round, from an agency unrelated to any proposal."""
    user = UserFactory(username="chair")
    Panel.objects.create(round=open_round, name="Panel A", chair=user)
    return user


def make(state, people, open_round, **kwargs):
    if state != "draft":  # it was submitted once (a never-submitted withdrawal stays private)
        kwargs.setdefault("submitted_at", timezone.now())
    proposal = ProposalFactory(round=open_round, lead=people["lead"], **{state: True}, **kwargs)
    TeamMemberFactory(proposal=proposal, user=people["member"])
    return proposal


# --- submit ---------------------------------------------------------------------------------


def test_lead_submits_a_ready_draft(api, people, draft):
    response = run(api, people["lead"], draft, "submit", {"note": "Ready for screening"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted" and body["id"] == draft.pk
    assert body["submitted_at"] is not None
    assert "withdraw" in body["available_transitions"] and "submit" not in body["available_transitions"]
    log = list(history(draft))[-1]
    assert (log.transition, log.from_state, log.to_state, log.actor, log.note) == (
        "submit", "draft", "submitted", people["lead"], "Ready for screening",
    )


def test_submit_with_too_few_agencies_is_400_on_partner_agencies(api, people, open_round):
    proposal = ProposalFactory(ready=True, round=open_round, lead=people["lead"], partners=[])
    response = run(api, people["lead"], proposal, "submit")
    assert response.status_code == 400
    assert "at least 2 agencies on the proposal (the lead's and the partners'); it has 1" in response.json()["partner_agencies"][0]
    assert state_of(proposal) == "draft"


def test_submit_with_budget_not_adding_up_is_400(api, people, draft):
    draft.budget_lines.first().delete()
    response = run(api, people["lead"], draft, "submit")
    assert response.status_code == 400
    assert "must be equal" in response.json()["budget_lines"][0]


def test_submit_above_max_award_is_400(api, people):
    small = RoundFactory(max_award=Decimal("100000.00"))
    proposal = ProposalFactory(ready=True, round=small, lead=people["lead"])
    response = run(api, people["lead"], proposal, "submit")
    assert response.status_code == 400
    assert "maximum award" in response.json()["requested_amount"][0]


def test_submit_with_missing_fields_names_each_field(api, people, open_round):
    proposal = ProposalFactory(round=open_round, lead=people["lead"])
    response = run(api, people["lead"], proposal, "submit")
    assert response.status_code == 400
    assert {"summary", "hypothesis", "requested_amount"} <= set(response.json())


def test_submit_to_a_closed_round_is_400(api, people):
    proposal = ProposalFactory(ready=True, round=RoundFactory(closed=True), lead=people["lead"])
    response = run(api, people["lead"], proposal, "submit")
    assert response.status_code == 400
    assert "round" in response.json()


def test_submit_after_closes_at_is_400(api, people):
    past = RoundFactory(closes_at=timezone.now() - timedelta(hours=1))
    proposal = ProposalFactory(ready=True, round=past, lead=people["lead"])
    assert run(api, people["lead"], proposal, "submit").status_code == 400


def test_submit_twice_is_409_with_the_state(api, people, draft):
    assert run(api, people["lead"], draft, "submit").status_code == 200
    response = run(api, people["lead"], draft, "submit")
    assert response.status_code == 409
    assert response.json()["state"] == "submitted"
    assert "submitted" in response.json()["detail"].lower()


def test_team_member_may_not_submit(api, people, draft):
    response = run(api, people["member"], draft, "submit")
    assert response.status_code == 403
    assert state_of(draft) == "draft"


@pytest.mark.parametrize("role", ["stranger", "fund_manager"])
def test_a_draft_is_unknown_to_others(api, people, draft, role):
    assert run(api, people[role], draft, "submit").status_code == 404


def test_hr_officers_change_nothing(api, people, draft):
    """HR officers read; every write is refused before the object is even looked up."""
    assert run(api, people["hr_officer"], draft, "submit").status_code == 403
    assert state_of(draft) == "draft"


def test_resubmission_after_revision_request_even_after_closing(api, people):
    closed = RoundFactory(closed=True)
    proposal = ProposalFactory(revision_requested=True, round=closed, lead=people["lead"])
    response = run(api, people["lead"], proposal, "submit")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


# --- withdraw -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "revision_requested"])
def test_lead_withdraws_an_undecided_proposal(api, people, open_round, state):
    proposal = ProposalFactory(round=open_round, lead=people["lead"], state=state)
    response = run(api, people["lead"], proposal, "withdraw", {"note": "Ministry reorganised"})
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"


@pytest.mark.parametrize("state", ["ineligible", "recommended", "funded", "withdrawn"])
def test_withdraw_after_a_decision_is_409(api, people, open_round, state):
    proposal = make(state, people, open_round)
    response = run(api, people["lead"], proposal, "withdraw")
    assert response.status_code == 409
    assert response.json()["state"] == state


@pytest.mark.parametrize("role, status", [("member", 403), ("fund_manager", 403), ("stranger", 404)])
def test_only_the_lead_withdraws(api, people, open_round, role, status):
    proposal = make("submitted", people, open_round)
    assert run(api, people[role], proposal, "withdraw").status_code == status
    assert state_of(proposal) == "submitted"


# --- screen_out -----------------------------------------------------------------------------


def test_fund_manager_screens_out_with_a_reason(api, people, open_round):
    proposal = make("submitted", people, open_round)
    response = run(api, people["fund_manager"], proposal, "screen_out",
                   {"reason": "Outside the fund's scope"})
    assert response.status_code == 200
    assert response.json()["state"] == "ineligible"
    assert list(history(proposal))[-1].note == "Outside the fund's scope"


def test_screen_out_takes_the_note_as_reason(api, people, open_round):
    proposal = make("submitted", people, open_round)
    response = run(api, people["fund_manager"], proposal, "screen_out", {"note": "Duplicate"})
    assert response.status_code == 200
    assert list(history(proposal))[-1].note == "Duplicate"


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "", "note": ""}])
def test_screen_out_without_reason_is_400(api, people, open_round, body):
    proposal = make("submitted", people, open_round)
    response = run(api, people["fund_manager"], proposal, "screen_out", body)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert state_of(proposal) == "submitted"


@pytest.mark.parametrize(
    "raw", ['{"reason": ["a", "b"]}', '{"reason": {"x": 1}}', '{"note": [1]}']
)
def test_screen_out_with_fields_of_the_wrong_type_is_400(api, people, open_round, raw):
    proposal = make("submitted", people, open_round)
    response = api(people["fund_manager"]).post(
        url(proposal, "screen_out"), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert state_of(proposal) == "submitted"


@pytest.mark.parametrize(
    "role, status", [("stranger", 404), ("lead", 403), ("member", 403), ("hr_officer", 403)]
)
def test_only_fund_managers_screen_out(api, people, open_round, role, status):
    proposal = make("submitted", people, open_round)
    response = run(api, people[role], proposal, "screen_out", {"reason": "No"})
    assert response.status_code == status
    assert state_of(proposal) == "submitted"


def test_a_fund_manager_cannot_screen_their_own_proposal(api, people, open_round):
    manager = people["fund_manager"]
    proposal = ProposalFactory(submitted=True, round=open_round, lead=manager)
    assert run(api, manager, proposal, "screen_out", {"reason": "No"}).status_code == 403


def test_screen_out_in_review_is_409_even_without_reason(api, people, open_round):
    proposal = make("in_review", people, open_round)
    response = run(api, people["fund_manager"], proposal, "screen_out")
    assert response.status_code == 409
    assert response.json()["state"] == "in_review"


# --- send_to_review -------------------------------------------------------------------------


def test_fund_manager_sends_to_review(api, people, open_round):
    proposal = make("submitted", people, open_round)
    response = run(api, people["fund_manager"], proposal, "send_to_review", {"note": "Eligible"})
    assert response.status_code == 200
    assert response.json()["state"] == "in_review"


@pytest.mark.parametrize("role, status", [("lead", 403), ("hr_officer", 403), ("stranger", 404)])
def test_others_may_not_send_to_review(api, people, open_round, role, status):
    proposal = make("submitted", people, open_round)
    assert run(api, people[role], proposal, "send_to_review").status_code == status


@pytest.mark.parametrize("state", ["in_review", "ineligible", "withdrawn"])
def test_send_to_review_outside_submitted_is_409(api, people, open_round, state):
    proposal = make(state, people, open_round)
    response = run(api, people["fund_manager"], proposal, "send_to_review")
    assert response.status_code == 409
    assert response.json() == {"detail": response.json()["detail"], "state": state}


# --- request_revision -----------------------------------------------------------------------


def test_chair_requests_a_revision_with_a_message(api, people, open_round, chair):
    proposal = make("in_review", people, open_round)
    response = run(api, chair, proposal, "request_revision", {"message": "Add a control group"})
    assert response.status_code == 200
    assert response.json()["state"] == "revision_requested"
    assert list(history(proposal))[-1].note == "Add a control group"


def test_request_revision_without_message_is_400(api, people, open_round, chair):
    proposal = make("in_review", people, open_round)
    response = run(api, chair, proposal, "request_revision", {"message": ""})
    assert response.status_code == 400
    assert "message" in response.json()


@pytest.mark.parametrize("role, status", [("fund_manager", 403), ("lead", 403), ("stranger", 404)])
def test_only_the_chair_requests_revisions(api, people, open_round, chair, role, status):
    proposal = make("in_review", people, open_round)
    response = run(api, people[role], proposal, "request_revision", {"message": "More"})
    assert response.status_code == status


def test_a_conflicted_chair_does_not_even_see_the_proposal(api, people, open_round):
    conflicted = UserFactory(agency=people["lead"].agency)  # the lead's agency
    Panel.objects.create(round=open_round, name="Panel B", chair=conflicted)
    proposal = make("in_review", people, open_round)
    assert run(api, conflicted, proposal, "request_revision", {"message": "x"}).status_code == 404
    assert state_of(proposal) == "in_review"


def test_request_revision_twice_is_409(api, people, open_round, chair):
    proposal = make("revision_requested", people, open_round)
    response = run(api, chair, proposal, "request_revision", {"message": "Again"})
    assert response.status_code == 409
    assert response.json()["state"] == "revision_requested"


# --- the endpoint itself --------------------------------------------------------------------


def test_unknown_transition_is_404(api, people, draft):
    for name in ("explode", "Submit", "__init__", "save", "delete"):
        assert run(api, people["lead"], draft, name).status_code == 404, name


def test_unknown_proposal_and_non_integer_ids_are_404(api, people, draft):
    client = api(people["lead"])
    for pk in ("999999", "abc", "1e3", "99999999999999999999999999"):
        response = client.post(f"/api/v1/proposals/{pk}/transitions/submit/", {}, format="json")
        assert response.status_code == 404, pk


def test_malformed_json_and_non_object_bodies_are_400(api, people, draft):
    client = api(people["lead"])
    for body in ("{not json", "[1, 2]", '"text"', "null"):
        response = client.post(url(draft, "submit"), body, content_type="application/json")
        assert response.status_code == 400, body
    assert state_of(draft) == "draft"


def test_anonymous_is_401(draft):
    from rest_framework.test import APIClient

    assert APIClient().post(url(draft, "submit"), {}, format="json").status_code == 401


def test_get_on_the_transition_endpoint_is_405(api, people, draft):
    assert api(people["lead"]).get(url(draft, "submit")).status_code == 405


def test_available_transitions_follow_the_user(api, people, open_round, chair):
    submitted = make("submitted", people, open_round)
    names = lambda user: api(user).get(f"/api/v1/proposals/{submitted.pk}/").json()[  # noqa: E731
        "available_transitions"
    ]
    assert names(people["lead"]) == ["withdraw"]
    assert names(people["member"]) == []
    assert set(names(people["fund_manager"])) == {"screen_out", "send_to_review"}
    assert names(people["hr_officer"]) == []
    in_review = make("in_review", people, open_round)
    chair_names = api(chair).get(f"/api/v1/proposals/{in_review.pk}/").json()["available_transitions"]
    assert "request_revision" in chair_names


def test_partner_agency_is_irrelevant_to_visibility(api, people, open_round):
    """Working at a partner agency does not reveal someone else's draft."""
    partner = AgencyFactory()
    colleague = UserFactory(agency=partner)
    proposal = ProposalFactory(ready=True, round=open_round, lead=people["lead"], partners=[partner])
    assert api(colleague).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
