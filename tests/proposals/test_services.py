"""The applicant's and screener's transitions: who may run them, their conditions, the log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.services import (
    PROPOSAL_TRANSITIONS,
    proposal_create,
    proposal_request_revision,
    proposal_screen_out,
    proposal_send_to_review,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)
from reviews.models import Panel
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict

pytestmark = pytest.mark.django_db
S = Proposal.State

# transition -> (service, extra input, a state it starts from, the state it ends in)
TRANSITIONS = {
    "submit": (proposal_submit, {}, S.DRAFT, S.SUBMITTED),
    "withdraw": (proposal_withdraw, {}, S.SUBMITTED, S.WITHDRAWN),
    "screen_out": (proposal_screen_out, {"reason": "Outside the round's theme."},
                   S.SUBMITTED, S.INELIGIBLE),
    "send_to_review": (proposal_send_to_review, {}, S.SUBMITTED, S.IN_REVIEW),
    "request_revision": (proposal_request_revision, {"message": "Say how you will measure it."},
                         S.IN_REVIEW, S.REVISION_REQUESTED),
}
ROLES = ["lead", "team", "stranger", "fund_manager", "conflicted_fund_manager", "hr_officer",
         "chair"]
ALLOWED = {
    "submit": {"lead"},
    "withdraw": {"lead"},
    "screen_out": {"fund_manager"},
    "send_to_review": {"fund_manager"},
    "request_revision": {"chair"},
}


def make_proposal(state: str, **kwargs) -> Proposal:
    traits = {"ready": True} if state == S.DRAFT else {state: True}
    return ProposalFactory(**traits, **kwargs)


def cast(proposal: Proposal) -> dict:
    """One user per role around `proposal`."""
    team = TeamMemberFactory(proposal=proposal).user
    conflicted = UserFactory(fund_manager=True)
    TeamMemberFactory(proposal=proposal, user=conflicted, role="Adviser")
    chair = UserFactory(username=f"chair{proposal.pk}")
    Panel.objects.create(round=proposal.round, name="Panel", chair=chair)
    return {
        "lead": proposal.lead, "team": team, "stranger": UserFactory(),
        "fund_manager": UserFactory(fund_manager=True), "conflicted_fund_manager": conflicted,
        "hr_officer": UserFactory(hr_officer=True), "chair": chair,
    }


def run(name: str, proposal: Proposal, actor, **override):
    service, extra, _, _ = TRANSITIONS[name]
    return service(proposal=proposal, actor=actor, **{**extra, **override})


def test_every_transition_is_mapped_by_name():
    for name, (service, *_rest) in TRANSITIONS.items():
        assert PROPOSAL_TRANSITIONS[name] is service


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_who_may_run_each_transition(name, role):
    _, _, start, end = TRANSITIONS[name]
    proposal = make_proposal(start)
    actor = cast(proposal)[role]
    if role in ALLOWED[name]:
        result = run(name, proposal, actor)
        assert result.state == end
        proposal.refresh_from_db()
        assert proposal.state == end
        log = TransitionLog.objects.for_object(proposal).get()
        row = (log.transition, log.from_state, log.to_state, log.actor)
        assert row == (name, start, end, actor)
    else:
        with pytest.raises(PermissionDenied):
            run(name, proposal, actor)
        proposal.refresh_from_db()
        assert proposal.state == start
        assert not TransitionLog.objects.for_object(proposal).exists()


@pytest.mark.parametrize("start", [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REVISION_REQUESTED])
def test_lead_withdraws_from_every_undecided_state(start):
    proposal = make_proposal(start)
    assert proposal_withdraw(proposal=proposal, actor=proposal.lead).state == S.WITHDRAWN


@pytest.mark.parametrize("name, state", [
    ("submit", S.SUBMITTED), ("submit", S.WITHDRAWN), ("withdraw", S.INELIGIBLE),
    ("withdraw", S.FUNDED), ("screen_out", S.IN_REVIEW), ("send_to_review", S.DRAFT),
    ("send_to_review", S.INELIGIBLE), ("request_revision", S.SUBMITTED),
])
def test_a_state_that_does_not_allow_the_transition_is_a_conflict(name, state):
    proposal = make_proposal(state)
    actor = cast(proposal)[next(iter(ALLOWED[name]))]
    with pytest.raises(TransitionStateConflict) as caught:
        run(name, proposal, actor)
    assert caught.value.state == state
    assert not TransitionLog.objects.for_object(proposal).exists()


def test_conflict_comes_before_missing_reason_and_permission_before_reason():
    ineligible = make_proposal(S.INELIGIBLE)
    with pytest.raises(TransitionStateConflict):
        proposal_screen_out(proposal=ineligible, actor=UserFactory(fund_manager=True), reason="")
    submitted = make_proposal(S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        proposal_screen_out(proposal=submitted, actor=UserFactory(), reason="")


# --- submit's conditions, each with its message ------------------------------------------
def submit_errors(proposal) -> dict:
    with pytest.raises(ValidationError) as caught:
        proposal_submit(proposal=proposal, actor=proposal.lead)
    proposal.refresh_from_db()
    assert proposal.state != S.SUBMITTED
    return caught.value.message_dict


def test_submit_refused_when_round_is_not_open():
    round_ = RoundFactory(closed=True, title="Round A")
    errors = submit_errors(make_proposal(S.DRAFT, round=round_))
    assert errors["round"] == ["The round “Round A” is not open for proposals."]


def test_submit_refused_after_closing_date_even_if_round_still_open():
    round_ = RoundFactory(title="Round B", closes_at=timezone.now() - timedelta(minutes=1))
    errors = submit_errors(make_proposal(S.DRAFT, round=round_))
    assert errors["round"] == ["The round “Round B” closed for proposals."]


def test_resubmission_after_revision_may_come_after_the_round_closed():
    round_ = RoundFactory(closed=True, closes_at=timezone.now() - timedelta(days=3))
    proposal = make_proposal(S.REVISION_REQUESTED, round=round_)
    assert proposal_submit(proposal=proposal, actor=proposal.lead).state == S.SUBMITTED


def test_resubmission_refused_in_an_archived_round():
    proposal = make_proposal(S.REVISION_REQUESTED, round=RoundFactory(archived=True))
    assert submit_errors(proposal)["round"] == [
        "This round is archived and no longer takes resubmissions."]


def test_submit_refused_with_required_fields_missing():
    proposal = ProposalFactory(partners=[AgencyFactory()])
    errors = submit_errors(proposal)
    assert errors["summary"] == ["Fill in “Summary” before submitting."]
    assert errors["success_criteria"] == ["Fill in “What result would show it works” before submitting."]
    assert errors["requested_amount"] == ["Fill in “Requested amount” before submitting."]
    assert "title" not in errors


def test_submit_refused_with_blank_text():
    proposal = make_proposal(S.DRAFT)
    Proposal.objects.filter(pk=proposal.pk).update(hypothesis="   ")
    proposal.refresh_from_db()
    assert submit_errors(proposal)["hypothesis"] == ["Fill in “What the experiment will test” before submitting."]


def test_submit_refused_with_too_few_agencies():
    errors = submit_errors(make_proposal(S.DRAFT, partners=[]))
    assert errors["partner_agencies"] == [
        "This round needs at least 2 agencies on the proposal (the lead's and the partners'); it has 1."]


def test_lead_agency_listed_as_partner_counts_once():
    lead = UserFactory()
    errors = submit_errors(make_proposal(S.DRAFT, lead=lead, partners=[lead.agency]))
    assert errors["partner_agencies"] == [
        "This round needs at least 2 agencies on the proposal (the lead's and the partners'); it has 1."]


def test_round_may_require_more_agencies():
    round_ = RoundFactory(min_partner_agencies=3)
    errors = submit_errors(make_proposal(S.DRAFT, round=round_))
    assert errors["partner_agencies"] == [
        "This round needs at least 3 agencies on the proposal (the lead's and the partners'); it has 2."]
    proposal = make_proposal(S.DRAFT, round=RoundFactory(min_partner_agencies=3),
                             partners=[AgencyFactory(), AgencyFactory()])
    assert proposal_submit(proposal=proposal, actor=proposal.lead).state == S.SUBMITTED


def test_submit_refused_when_budget_lines_do_not_add_up():
    errors = submit_errors(make_proposal(S.DRAFT, budget=False))
    assert errors["budget_lines"] == [
        "The budget lines add up to 0.00, but the requested amount is 500,000.00; "
        "they must be equal."]


def test_submit_refused_when_one_line_is_a_cent_off():
    proposal = make_proposal(S.DRAFT)
    line = proposal.budget_lines.first()
    line.amount -= Decimal("0.01")
    line.save()
    assert "499,999.99" in submit_errors(proposal)["budget_lines"][0]


def test_submit_refused_above_max_award():
    round_ = RoundFactory(max_award=Decimal("1000000.00"))
    proposal = make_proposal(S.DRAFT, round=round_, requested_amount=Decimal("1500000.00"))
    assert submit_errors(proposal)["requested_amount"] == [
        "The requested amount 1,500,000.00 is above this round's maximum award of 1,000,000.00."]


def test_submit_at_exactly_max_award_passes_and_stamps_submitted_at():
    round_ = RoundFactory(max_award=Decimal("1000000.00"))
    proposal = make_proposal(S.DRAFT, round=round_, requested_amount=Decimal("1000000.00"))
    result = proposal_submit(proposal=proposal, actor=proposal.lead)
    assert result.submitted_at is not None
    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED and proposal.submitted_at == result.submitted_at


def test_every_failed_condition_is_reported_at_once():
    round_ = RoundFactory(closed=True, max_award=Decimal("100.00"))
    errors = submit_errors(make_proposal(S.DRAFT, round=round_, partners=[], budget=False))
    assert {"round", "partner_agencies", "budget_lines", "requested_amount"} <= set(errors)


# --- reasons and messages ------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_screen_out_needs_a_reason(reason):
    proposal = make_proposal(S.SUBMITTED)
    with pytest.raises(ValidationError) as caught:
        proposal_screen_out(proposal=proposal, actor=UserFactory(fund_manager=True), reason=reason)
    assert caught.value.message_dict == {"reason": ["Say why the proposal is ineligible."]}
    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED


def test_screen_out_reason_is_the_log_note():
    proposal = make_proposal(S.SUBMITTED)
    proposal_screen_out(proposal=proposal, actor=UserFactory(fund_manager=True),
                        reason="  Duplicates a funded project.  ")
    assert TransitionLog.objects.for_object(proposal).get().note == "Duplicates a funded project."


def test_request_revision_needs_a_message():
    proposal = make_proposal(S.IN_REVIEW)
    chair = cast(proposal)["chair"]
    with pytest.raises(ValidationError) as caught:
        proposal_request_revision(proposal=proposal, actor=chair, message=" ")
    assert caught.value.message_dict == {"message": ["Tell the applicant what to revise."]}
    proposal_request_revision(proposal=proposal, actor=chair, note="Shorten the timeline.")
    log = TransitionLog.objects.for_object(proposal).get()
    assert (log.to_state, log.note, log.actor) == (S.REVISION_REQUESTED,
                                                   "Shorten the timeline.", chair)


def test_chair_from_a_partner_agency_is_conflicted():
    partner = AgencyFactory()
    proposal = make_proposal(S.IN_REVIEW, partners=[partner])
    chair = UserFactory(agency=partner)
    Panel.objects.create(round=proposal.round, name="P", chair=chair)
    with pytest.raises(PermissionDenied):
        proposal_request_revision(proposal=proposal, actor=chair, message="Revise.")


def test_chair_of_another_round_may_not_request_revision():
    proposal = make_proposal(S.IN_REVIEW)
    chair = UserFactory()
    Panel.objects.create(round=RoundFactory(), name="Other", chair=chair)
    with pytest.raises(PermissionDenied):
        proposal_request_revision(proposal=proposal, actor=chair, message="Revise.")


def test_inactive_lead_may_not_submit():
    proposal = make_proposal(S.DRAFT)
    proposal.lead.is_active = False
    proposal.lead.save()
    with pytest.raises(PermissionDenied):
        proposal_submit(proposal=proposal, actor=proposal.lead)


def test_full_path_is_logged_in_order():
    proposal = make_proposal(S.DRAFT)
    people = cast(proposal)
    proposal_submit(proposal=proposal, actor=people["lead"], note="Ready.")
    proposal_send_to_review(proposal=proposal, actor=people["fund_manager"])
    proposal_request_revision(proposal=proposal, actor=people["chair"], message="Clarify costs.")
    proposal_update(actor=people["team"], proposal=proposal, summary="Clearer summary.")
    proposal_submit(proposal=proposal, actor=people["lead"])
    rows = list(TransitionLog.objects.for_object(proposal))
    assert [(r.transition, r.from_state, r.to_state) for r in rows] == [
        ("submit", S.DRAFT, S.SUBMITTED),
        ("send_to_review", S.SUBMITTED, S.IN_REVIEW),
        ("request_revision", S.IN_REVIEW, S.REVISION_REQUESTED),
        ("submit", S.REVISION_REQUESTED, S.SUBMITTED),
    ]
    assert rows[0].note == "Ready." and rows[0].actor == people["lead"]


# --- drafting: create and update ------------------------------------------------------------
FIELDS = {
    "title": "Mobile birth registration", "summary": "s", "problem": "p", "hypothesis": "h",
    "success_criteria": "c", "approach": "a", "citizen_engagement": "e",
    "expected_outcomes": "o", "requested_amount": Decimal("300000.00"), "duration_months": 6,
}


def test_create_then_submit_through_the_services():
    lead, member, partner = UserFactory(), UserFactory(), AgencyFactory()
    proposal = proposal_create(
        actor=lead, round_=RoundFactory(), partner_agencies=[partner],
        team=[{"user": member, "role": "Analyst"}],
        budget_lines=[{"category": "staff", "description": "Allowances", "amount": "100000.00"},
                      {"category": "travel", "description": "Field visits", "amount": "200000"}],
        **FIELDS,
    )
    assert proposal.state == S.DRAFT and proposal.lead == lead
    assert [m.user for m in proposal.team.all()] == [member]
    assert proposal.budget_total == Decimal("300000.00")
    assert proposal_submit(proposal=proposal, actor=lead).state == S.SUBMITTED


def create_errors(**overrides) -> dict:
    kwargs = {"actor": UserFactory(), "round_": RoundFactory(), **FIELDS, **overrides}
    before = Proposal.objects.count()
    with pytest.raises(ValidationError) as caught:
        proposal_create(**kwargs)
    assert Proposal.objects.count() == before
    return caught.value.message_dict


def line(amount="1000.00", category="staff", description="Allowances"):
    return {"category": category, "description": description, "amount": amount}


@pytest.mark.parametrize("amount", [Decimal("-5.00"), Decimal("0"), "-1"])
def test_create_refuses_a_negative_or_zero_amount(amount):
    assert "requested_amount" in create_errors(requested_amount=amount)


def test_create_refuses_a_text_amount():
    assert "requested_amount" in create_errors(requested_amount="a lot")


@pytest.mark.parametrize("bad, message", [
    (line(amount="-10"), "Line 1: the amount must be more than zero."),
    (line(amount="abc"), "Line 1: the amount is not a number."),
    (line(amount="NaN"), "Line 1: the amount is not a number."),
    (line(amount="Infinity"), "Line 1: the amount is not a number."),
    (line(amount="10.005"), "Line 1: use at most two decimal places."),
    (line(amount="1e20"), "Line 1: the amount is too large."),
    (line(category="bribes"), "Line 1: choose a category."),
    (line(category=None), "Line 1: choose a category."),
    (line(description="  "), "Line 1: describe what the money is for."),
    ("not a line", "Line 1: give a category, a description and an amount."),
])
def test_create_refuses_bad_budget_lines(bad, message):
    assert message in create_errors(budget_lines=[bad])["budget_lines"]


def test_create_refuses_a_duplicate_team_member():
    member = UserFactory(first_name="Dorji", last_name="Wangdi")
    errors = create_errors(team=[{"user": member}, {"user": member.pk, "role": "Twice"}])
    assert errors["team"] == ["Dorji Wangdi is on the team twice."]


def test_create_refuses_the_lead_in_the_team():
    lead = UserFactory(first_name="Pema", last_name="Lhamo")
    errors = create_errors(actor=lead, team=[{"user": lead}])
    assert errors["team"] == ["Pema Lhamo leads the proposal and need not be added to the team."]


@pytest.mark.parametrize("who", [999999, "abc", None])
def test_create_refuses_an_unknown_team_member(who):
    assert create_errors(team=[{"user": who}])["team"] == ["A team member was not found."]


def test_create_refuses_an_inactive_or_unknown_partner_agency():
    errors = create_errors(partner_agencies=[AgencyFactory(code="OLD", is_active=False)])
    assert errors["partner_agencies"] == ["OLD is not an active agency."]
    assert create_errors(partner_agencies=[987654])["partner_agencies"] == [
        "An agency was not found."]


def test_create_reports_every_problem_at_once():
    member = UserFactory()
    errors = create_errors(requested_amount=Decimal("-1"), team=[{"user": member}] * 2,
                           budget_lines=[line(category="x")])
    assert {"requested_amount", "team", "budget_lines"} <= set(errors)


def test_create_refuses_a_closed_round_and_a_missing_title():
    assert "round" in create_errors(round_=RoundFactory(closed=True))
    assert create_errors(title="  ") == {"title": ["Give the proposal a title."]}
    assert "duration_months" in create_errors(duration_months=99)


def test_update_by_lead_and_team_while_editable():
    proposal = make_proposal(S.DRAFT)
    member = TeamMemberFactory(proposal=proposal).user
    proposal_update(actor=member, proposal=proposal, summary="Team's summary")
    proposal.refresh_from_db()
    assert proposal.summary == "Team's summary"
    revision = make_proposal(S.REVISION_REQUESTED)
    proposal_update(actor=revision.lead, proposal=revision, budget_lines=[line("500000.00")])
    assert revision.budget_lines.get().amount == Decimal("500000.00")


@pytest.mark.parametrize("role", ["stranger", "fund_manager", "hr_officer", "chair"])
def test_others_may_not_edit(role):
    proposal = make_proposal(S.DRAFT)
    actor = cast(proposal)[role]
    with pytest.raises(PermissionDenied):
        proposal_update(actor=actor, proposal=proposal, title="Hijacked")
    proposal.refresh_from_db()
    assert proposal.title != "Hijacked"


@pytest.mark.parametrize("state", [S.SUBMITTED, S.IN_REVIEW, S.INELIGIBLE, S.WITHDRAWN])
def test_lead_may_not_edit_after_submitting(state):
    proposal = make_proposal(state)
    with pytest.raises(ValidationError) as caught:
        proposal_update(actor=proposal.lead, proposal=proposal, title="Changed")
    assert "can no longer be edited" in caught.value.messages[0]


def test_refused_update_changes_nothing():
    proposal = make_proposal(S.DRAFT)
    before = list(proposal.budget_lines.values_list("amount", flat=True))
    with pytest.raises(ValidationError):
        proposal_update(actor=proposal.lead, proposal=proposal, title="New title",
                        budget_lines=[line(amount="-1")])
    proposal.refresh_from_db()
    assert proposal.title != "New title"
    assert list(proposal.budget_lines.values_list("amount", flat=True)) == before


def test_update_replaces_team_and_partners():
    proposal = make_proposal(S.DRAFT)
    TeamMemberFactory(proposal=proposal)
    new_member, new_partner = UserFactory(), AgencyFactory()
    proposal_update(actor=proposal.lead, proposal=proposal,
                    team=[{"user": new_member.pk, "role": "Data"}],
                    partner_agencies=[new_partner.pk])
    # The team as it stands: the new colleague invited; the old member removed, row kept.
    assert [m.user for m in proposal.team.exclude(state="removed")] == [new_member]
    assert proposal.team.get(user=new_member).state == "invited"
    assert proposal.team.filter(state="removed").count() == 1
    assert list(proposal.partner_agencies.all()) == [new_partner]
