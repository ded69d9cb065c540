"""The proposal's money transitions through the API: `fund`, `decline`, `report_outcome`, `close`.

`POST /api/v1/proposals/<id>/transitions/<name>/` (API.md): 200 with the proposal as it now is
for the role that may; 401 anonymous; 404 for whoever may not see the proposal; 403 for whoever
sees it but may not act (HR officers, reviewers, chairs, a fund manager on the team); 409 when
the state does not allow it; 400 for bad or missing fields. A refused request changes nothing:
not the fund's balance, not the awards, tranches or outcome reports, not any state or the log.
"""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from fund.models import Award, Tranche
from fund.services.awards import fund_available_balance
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import OutcomeReport, Proposal
from reviews.factories import AssignmentFactory
from reviews.models import Panel
from workflow.models import TransitionLog

from .conftest import make_award, plan, release_all

D = Decimal

#: Everyone the refusals are tried on; `reviewer` is assigned to the world's proposals and
#: `conflicted` is a fund manager on their team.
ROLES = ("anonymous", "stranger", "lead", "team", "manager", "hr", "chair", "reviewer",
         "conflicted")


def extend_world(world):
    """Add a reviewer assigned to the recommended, funded and reported proposals, and a fund
    manager who is on their team (a conflict of interest for every fund manager's decision)."""
    panel = Panel.objects.get(round=world.round)
    world.reviewer = UserFactory(username="reviewer")
    world.conflicted = UserFactory(username="conflicted", fund_manager=True)
    for proposal in (world.recommended, world.funded, world.reported):
        AssignmentFactory(proposal=proposal, panel=panel, reviewer=world.reviewer)
        TeamMemberFactory(proposal=proposal, user=world.conflicted, role="Adviser")
    release_all(world.award)  # the funded proposal's money is out: its outcome may be reported
    return world


def url(proposal, name):
    return f"/api/v1/proposals/{proposal.pk}/transitions/{name}/"


def fund_body(amount="500000.00", *parts):
    return {"amount": amount, "tranches": plan(*(parts or ("300000.00", "200000.00"))),
            "conditions": "Report each milestone.", "note": "Funded in the March sitting"}


DECLINE_BODY = {"reason": "The round's budget is exhausted."}

OUTCOME_BODY = {
    "result": "did_not_succeed",
    "summary": "Riders kept the old timetable; the co-designed one confused night routes.",
    "indicators": "On-time boarding 61% (target 80%); complaints unchanged.",
    "amount_spent": "380000.50",
    "citizen_feedback": "Night-shift workers asked for fewer, more reliable buses.",
    "next_step": "iterate",
    "note": "Shared with the transport ministry",
}


@pytest.fixture
def w(world):
    return extend_world(world)


@pytest.fixture
def api():
    return APIClient()


def as_role(api, w, role):
    if role != "anonymous":
        api.force_authenticate(getattr(w, role))
    return api


def snapshot(w):
    """Everything a money transition could change."""
    return {
        "balance": fund_available_balance(fund=w.fund),
        "states": sorted(Proposal.objects.values_list("pk", "state")),
        "awards": sorted(Award.objects.values_list("pk", "proposal_id", "amount", "state")),
        "tranches": sorted(Tranche.objects.values_list("pk", "award_id", "amount", "state")),
        "outcomes": sorted(OutcomeReport.objects.values_list("pk", "proposal_id", "result")),
        "log": TransitionLog.objects.count(),
    }


def assert_refused(response, expected, before, w):
    assert response.status_code == expected, response.content[:400]
    assert snapshot(w) == before
    if expected == 409:
        assert set(response.json()) == {"detail", "state"}


def refusals(allowed):
    """(role, status) for the roles other than `allowed`, on a proposal in the right state."""
    visible_but_not_allowed = {"lead", "team", "manager", "hr", "chair", "reviewer", "conflicted"}
    rows = [("anonymous", 401), ("stranger", 404)]
    rows += [(role, 403) for role in sorted(visible_but_not_allowed - set(allowed))]
    return rows


# --- who may: what the detail offers -------------------------------------------------------------


@pytest.mark.parametrize(("role", "proposal", "expected"), [
    ("manager", "recommended", ["decline", "fund"]),
    ("conflicted", "recommended", []),
    ("lead", "recommended", []),
    ("chair", "recommended", []),
    ("reviewer", "recommended", []),
    ("hr", "recommended", []),
    ("lead", "funded", ["report_outcome"]),
    ("team", "funded", ["report_outcome"]),
    ("conflicted", "funded", ["report_outcome"]),  # on the team: reporting is a team member's
    ("manager", "funded", []),
    ("manager", "reported", ["close"]),
    ("conflicted", "reported", []),
    ("lead", "reported", []),
])
def test_available_transitions_offer_the_money_transitions_to_who_may(
        api, w, role, proposal, expected):
    body = as_role(api, w, role).get(f"/api/v1/proposals/{getattr(w, proposal).pk}/").json()
    money = {"fund", "decline", "report_outcome", "close"}
    assert sorted(set(body["available_transitions"]) & money) == expected


# --- fund ---------------------------------------------------------------------------------------


def test_fund_creates_the_award_and_draws_exactly_the_amount_from_the_fund(api, w):
    as_role(api, w, "manager")
    before = fund_available_balance(fund=w.fund)
    assert before == D("2300000.00")
    assert api.get(f"/api/v1/funds/{w.fund.pk}/").json()["available_balance"] == "2300000.00"
    awards = Award.objects.count()

    response = api.post(url(w.recommended, "fund"),
                        fund_body("499999.99", "300000.00", "199999.99"), format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "funded"
    award = Award.objects.get(proposal=w.recommended)
    assert body["award"] == award.pk
    assert Award.objects.count() == awards + 1
    assert award.amount == D("499999.99")
    assert award.approved_by == w.manager
    assert award.state == Award.State.ACTIVE
    assert award.conditions == "Report each milestone."
    tranches = list(award.tranches.order_by("sequence"))
    assert [(t.sequence, t.amount, t.state) for t in tranches] == [
        (1, D("300000.00"), Tranche.State.SCHEDULED), (2, D("199999.99"), Tranche.State.SCHEDULED)]
    assert [t.due_on for t in tranches] == [datetime.date(2027, 1, 31), datetime.date(2027, 5, 1)]
    assert [t.milestone for t in tranches] == ["Milestone 1", "Milestone 2"]
    assert sum((t.amount for t in tranches), D("0")) == award.amount

    after = fund_available_balance(fund=w.fund)
    assert isinstance(after, Decimal)
    assert before - after == D("499999.99")
    assert after == D("1800000.01")
    assert api.get(f"/api/v1/funds/{w.fund.pk}/").json()["available_balance"] == "1800000.01"

    log = TransitionLog.objects.for_object(w.recommended).get(transition="fund")
    assert (log.from_state, log.to_state, log.actor, log.note) == (
        "recommended", "funded", w.manager, "Funded in the March sitting")


@pytest.mark.parametrize(("role", "expected"), refusals(allowed={"manager"}))
def test_fund_is_refused_to_other_roles_and_changes_nothing(api, w, role, expected):
    before = snapshot(w)
    response = as_role(api, w, role).post(url(w.recommended, "fund"), fund_body(), format="json")
    assert_refused(response, expected, before, w)


@pytest.mark.parametrize("proposal", ["funded", "reported"])
def test_fund_in_a_state_that_does_not_allow_it_is_409(api, w, proposal):
    before = snapshot(w)
    target = getattr(w, proposal)
    response = as_role(api, w, "manager").post(url(target, "fund"), fund_body(), format="json")
    assert_refused(response, 409, before, w)
    assert response.json()["state"] == target.state


def test_fund_state_is_judged_before_the_body(api, w):
    before = snapshot(w)
    response = as_role(api, w, "manager").post(url(w.funded, "fund"), {}, format="json")
    assert_refused(response, 409, before, w)


def _drain_fund(w):
    """An award in another round of the same fund leaves 300,000.00 available."""
    other = ProposalFactory(round=RoundFactory(fund=w.fund, budget=D("5000000.00")), funded=True)
    make_award(other, amount="2000000.00")


def _lower_max_award(w):
    type(w.round).objects.filter(pk=w.round.pk).update(max_award=D("450000.00"))


def _spend_round_budget(w):
    type(w.round).objects.filter(pk=w.round.pk).update(budget=D("800000.00"))  # 100,000 left


@pytest.mark.parametrize(("setup", "body", "field", "words"), [
    (None, {"tranches": plan("500000.00")}, "amount", "required"),
    (None, fund_body("500000.01", "500000.01"), "amount", "requested amount"),
    (_lower_max_award, fund_body("500000.00", "500000.00"), "amount", "maximum award"),
    (_spend_round_budget, fund_body("500000.00", "500000.00"), "amount", "budget"),
    (_drain_fund, fund_body("500000.00", "500000.00"), "amount", "overdraw"),
    (_drain_fund, fund_body("300000.01", "300000.01"), "amount", "overdraw"),
    (None, fund_body("500000.00", "300000.00", "100000.00"), "tranches", "add up"),
    (None, fund_body("500000.00", "300000.00", "200000.01"), "tranches", "add up"),
    (None, {"amount": "500000.00"}, "tranches", "at least one"),
    (None, {"amount": "500000.00", "tranches": []}, "tranches", ""),
    (None, {"amount": "500000.00", "tranches": "all at once"}, "tranches", ""),
    (None, {"amount": "500000.00", "tranches": ["500000.00"]}, "tranches", ""),
    (None, {"amount": "500000.00", "tranches": [{"amount": "500000.00", "milestone": "Pilot"}]},
     "tranches", "due date"),
    (None, {"amount": "500000.00",
            "tranches": [{"amount": "500000.00", "due_on": "2027-01-31"}]},
     "tranches", "milestone"),
    (None, {"amount": "500000.00",
            "tranches": [{"amount": "500000.00", "due_on": "31/01/2027", "milestone": "Pilot"}]},
     "tranches", "due date"),
    (None, {"amount": "500000.00", "tranches": list(reversed(plan("250000.00", "250000.00")))},
     "tranches", "before tranche"),
    (None, {"amount": "500000.00", "tranches": plan("500000.00", "0.00")}, "tranches", "zero"),
    (None, {"amount": "500000.00", "tranches": plan("600000.00", "-100000.00")},
     "tranches", "zero"),
    (None, {"amount": "500000.00", "tranches": plan("499999.995", "0.005")},
     "tranches", "decimal places"),
    (None, {"amount": "500000.00", "tranches": plan("lots")}, "tranches", "not a number"),
    (None, {"amount": "500000.00", "tranches": plan("1e30", "-1e30")}, "tranches", ""),
    (None, {"amount": "500000.00", "tranches": plan("9" * 40)}, "tranches", ""),
    (None, {"amount": "500000.00", "tranches": plan("Infinity")}, "tranches", "not a number"),
    (None, {"amount": "500000.00", "tranches": [{**plan("500000.00")[0], "amount": True}]},
     "tranches", "not a number"),
    (None, fund_body("-500000.00", "-500000.00"), "amount", ""),
    (None, fund_body("0.00", "0.00"), "amount", ""),
    (None, fund_body("lots", "500000.00"), "amount", ""),
    (None, fund_body("499999.995", "499999.995"), "amount", ""),
    (None, fund_body("NaN", "500000.00"), "amount", ""),
    (None, fund_body("1" * 20, "500000.00"), "amount", ""),
])
def test_fund_with_bad_or_missing_fields_is_400_and_changes_nothing(
        api, w, setup, body, field, words):
    if setup:
        setup(w)
    before = snapshot(w)
    response = as_role(api, w, "manager").post(url(w.recommended, "fund"), body, format="json")
    assert_refused(response, 400, before, w)
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(m, str) for m in errors[field])
    assert words.lower() in " ".join(errors[field]).lower()


def test_fund_up_to_exactly_the_available_balance_is_allowed(api, w):
    _drain_fund(w)
    before = fund_available_balance(fund=w.fund)
    assert before == D("300000.00")
    response = as_role(api, w, "manager").post(
        url(w.recommended, "fund"), fund_body("300000.00", "100000.00", "200000.00"),
        format="json")
    assert response.status_code == 200, response.content
    assert fund_available_balance(fund=w.fund) == D("0.00")


# --- decline ------------------------------------------------------------------------------------


def test_decline_stores_the_reason_in_the_log(api, w):
    before = snapshot(w)
    response = as_role(api, w, "manager").post(
        url(w.recommended, "decline"), {"reason": "  The round's budget is exhausted.  "},
        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "declined"
    assert response.json()["award"] is None
    w.recommended.refresh_from_db()
    assert w.recommended.state == Proposal.State.DECLINED
    log = TransitionLog.objects.for_object(w.recommended).get(transition="decline")
    assert (log.from_state, log.to_state, log.actor, log.note) == (
        "recommended", "declined", w.manager, "The round's budget is exhausted.")
    after = snapshot(w)
    assert (after["balance"], after["awards"], after["tranches"]) == (
        before["balance"], before["awards"], before["tranches"])


@pytest.mark.parametrize(("role", "expected"), refusals(allowed={"manager"}))
def test_decline_is_refused_to_other_roles_and_changes_nothing(api, w, role, expected):
    before = snapshot(w)
    response = as_role(api, w, role).post(url(w.recommended, "decline"), DECLINE_BODY,
                                          format="json")
    assert_refused(response, expected, before, w)


@pytest.mark.parametrize("proposal", ["funded", "reported"])
def test_decline_in_a_state_that_does_not_allow_it_is_409(api, w, proposal):
    before = snapshot(w)
    target = getattr(w, proposal)
    response = as_role(api, w, "manager").post(url(target, "decline"), DECLINE_BODY,
                                               format="json")
    assert_refused(response, 409, before, w)
    assert response.json()["state"] == target.state


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   \n "}, {"note": ""},
                                  {"reason": None}, {"reason": ["Budget"]}])
def test_decline_without_a_reason_is_400_and_changes_nothing(api, w, body):
    before = snapshot(w)
    response = as_role(api, w, "manager").post(url(w.recommended, "decline"), body,
                                               format="json")
    assert_refused(response, 400, before, w)
    assert "reason" in response.json()


# --- report_outcome -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["lead", "team", "conflicted"])
def test_report_outcome_writes_the_whole_report(api, w, role):
    before = snapshot(w)
    response = as_role(api, w, role).post(url(w.funded, "report_outcome"), OUTCOME_BODY,
                                          format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "outcome_reported"
    report = OutcomeReport.objects.get(proposal=w.funded)
    assert report.result == OutcomeReport.Result.DID_NOT_SUCCEED
    assert report.summary == OUTCOME_BODY["summary"]
    assert report.indicators == OUTCOME_BODY["indicators"]
    assert report.amount_spent == D("380000.50")
    assert report.citizen_feedback == OUTCOME_BODY["citizen_feedback"]
    assert report.next_step == OutcomeReport.NextStep.ITERATE
    assert report.submitted_by == getattr(w, role)
    log = TransitionLog.objects.for_object(w.funded).get(transition="report_outcome")
    assert (log.from_state, log.to_state, log.actor, log.note) == (
        "funded", "outcome_reported", getattr(w, role), OUTCOME_BODY["note"])
    after = snapshot(w)
    assert (after["balance"], after["awards"], after["tranches"]) == (
        before["balance"], before["awards"], before["tranches"])


@pytest.mark.parametrize(("role", "expected"),
                         refusals(allowed={"lead", "team", "conflicted"}))
def test_report_outcome_is_refused_to_other_roles_and_changes_nothing(api, w, role, expected):
    before = snapshot(w)
    response = as_role(api, w, role).post(url(w.funded, "report_outcome"), OUTCOME_BODY,
                                          format="json")
    assert_refused(response, expected, before, w)


@pytest.mark.parametrize("proposal", ["recommended", "reported"])
def test_report_outcome_in_a_state_that_does_not_allow_it_is_409(api, w, proposal):
    before = snapshot(w)
    target = getattr(w, proposal)
    response = as_role(api, w, "lead").post(url(target, "report_outcome"), OUTCOME_BODY,
                                            format="json")
    assert_refused(response, 409, before, w)
    assert response.json()["state"] == target.state


OUTCOME_FIELDS = ("result", "summary", "indicators", "amount_spent", "citizen_feedback",
                  "next_step")


@pytest.mark.parametrize(("change", "field"), [
    *[({name: None}, name) for name in OUTCOME_FIELDS],  # missing (dropped below)
    *[({name: ""}, name) for name in OUTCOME_FIELDS],
    ({"summary": "   "}, "summary"),
    ({"result": "failed"}, "result"),
    ({"result": "Succeeded"}, "result"),
    ({"result": ["succeeded"]}, "result"),
    ({"next_step": "celebrate"}, "next_step"),
    ({"amount_spent": "-1.00"}, "amount_spent"),
    ({"amount_spent": "a lot"}, "amount_spent"),
    ({"amount_spent": "10.005"}, "amount_spent"),
    ({"amount_spent": "1" * 20}, "amount_spent"),
    ({"amount_spent": "NaN"}, "amount_spent"),
])
def test_report_outcome_with_a_bad_or_missing_field_is_400_and_changes_nothing(
        api, w, change, field):
    body = {**OUTCOME_BODY, **change}
    body = {k: v for k, v in body.items() if v is not None}
    before = snapshot(w)
    response = as_role(api, w, "lead").post(url(w.funded, "report_outcome"), body, format="json")
    assert_refused(response, 400, before, w)
    assert field in response.json(), response.json()


# --- close --------------------------------------------------------------------------------------


def test_close_completes_the_award(api, w):
    before = snapshot(w)
    response = as_role(api, w, "manager").post(url(w.reported, "close"),
                                               {"note": "Learning accepted"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed"
    assert response.json()["award"] == w.reported_award.pk
    w.reported_award.refresh_from_db()
    assert w.reported_award.state == Award.State.COMPLETED
    log = TransitionLog.objects.for_object(w.reported).get(transition="close")
    assert (log.from_state, log.to_state, log.actor, log.note) == (
        "outcome_reported", "closed", w.manager, "Learning accepted")
    assert TransitionLog.objects.for_object(w.reported_award).filter(transition="complete").exists()
    # A completed award stays committed: closing returns no money to the fund.
    assert snapshot(w)["balance"] == before["balance"]
    w.award.refresh_from_db()
    assert w.award.state == Award.State.ACTIVE  # other awards untouched


@pytest.mark.parametrize(("role", "expected"), refusals(allowed={"manager"}))
def test_close_is_refused_to_other_roles_and_changes_nothing(api, w, role, expected):
    before = snapshot(w)
    response = as_role(api, w, role).post(url(w.reported, "close"), {}, format="json")
    assert_refused(response, expected, before, w)


@pytest.mark.parametrize("proposal", ["recommended", "funded"])
def test_close_in_a_state_that_does_not_allow_it_is_409(api, w, proposal):
    before = snapshot(w)
    target = getattr(w, proposal)
    response = as_role(api, w, "manager").post(url(target, "close"), {}, format="json")
    assert_refused(response, 409, before, w)
    assert response.json()["state"] == target.state


def test_close_with_a_note_that_is_not_text_is_400(api, w):
    before = snapshot(w)
    response = as_role(api, w, "manager").post(url(w.reported, "close"), {"note": ["x"]},
                                               format="json")
    assert_refused(response, 400, before, w)
    assert "note" in response.json()


# --- the whole path, by token as other systems call it --------------------------------------------


def test_fund_report_and_close_by_token(w):
    from rest_framework.authtoken.models import Token

    def client(user):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return c

    manager, lead = client(w.manager), client(w.lead)
    before = fund_available_balance(fund=w.fund)
    assert manager.post(url(w.recommended, "fund"), fund_body(), format="json").status_code == 200
    release_all(Award.objects.get(proposal=w.recommended))
    assert lead.post(url(w.recommended, "report_outcome"), OUTCOME_BODY,
                     format="json").status_code == 200
    response = manager.post(url(w.recommended, "close"), {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert Award.objects.get(proposal=w.recommended).state == Award.State.COMPLETED
    assert before - fund_available_balance(fund=w.fund) == D("500000.00")
    assert APIClient().post(url(w.funded, "close"), {}, format="json").status_code == 401
