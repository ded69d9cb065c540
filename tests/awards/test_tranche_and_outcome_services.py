"""Tranches in order, milestone reports, outcome reports (every result honoured) and closing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fund.models import Award, Tranche
from fund.services import (
    TRANCHE_TRANSITIONS,
    tranche_cancel,
    tranche_release,
    tranche_report_milestone,
)
from proposals.models import OutcomeReport, Proposal
from proposals.services import proposal_close, proposal_report_outcome
from workflow.models import TransitionLog
from workflow.services import TransitionStateConflict

from .conftest import D, release_all

OUTCOME = {
    "result": "did_not_succeed",
    "summary": "Riders kept using the old timetable.",
    "indicators": "Usage 12% against a target of 40%.",
    "amount_spent": "380000.00",
    "citizen_feedback": "The printed timetable at the stop mattered more than the app.",
    "next_step": "iterate",
}


def _state(obj):
    obj.refresh_from_db()
    return obj.state


def test_registry_names_the_three_tranche_transitions():
    assert set(TRANCHE_TRANSITIONS) == {"release", "report_milestone", "cancel"}


def test_tranches_release_in_order_after_each_report(world):
    first, second = world.tranches
    with pytest.raises(ValidationError) as excinfo:
        tranche_release(tranche=second, actor=world.manager)
    assert "Tranche 1 must be reported" in excinfo.value.message_dict["sequence"][0]
    assert _state(second) == Tranche.State.SCHEDULED

    tranche_release(tranche=first, actor=world.manager, note="Signed agreement received")
    assert _state(first) == Tranche.State.RELEASED
    with pytest.raises(ValidationError):  # released but not yet reported
        tranche_release(tranche=second, actor=world.manager)

    tranche_report_milestone(tranche=first, actor=world.team,
                             milestone_report="Pilot running in two dzongkhags.")
    first.refresh_from_db()
    assert first.state == Tranche.State.REPORTED
    assert first.milestone_report == "Pilot running in two dzongkhags."
    tranche_release(tranche=second, actor=world.manager)
    assert _state(second) == Tranche.State.RELEASED
    logs = TransitionLog.objects.for_object(first).values_list("transition", "actor__username")
    assert list(logs) == [("release", "manager"), ("report_milestone", "team")]


def test_a_cancelled_tranche_does_not_block_the_next(world):
    first, second = world.tranches
    tranche_cancel(tranche=first, actor=world.manager, reason="Merged into the second.")
    tranche_release(tranche=second, actor=world.manager)
    assert _state(second) == Tranche.State.RELEASED


@pytest.mark.parametrize("role", ["lead", "team", "hr", "chair", "stranger"])
def test_only_fund_managers_release_and_cancel(world, role):
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        tranche_release(tranche=world.tranches[0], actor=user)
    with pytest.raises(PermissionDenied):
        tranche_cancel(tranche=world.tranches[0], actor=user, reason="x")
    assert _state(world.tranches[0]) == Tranche.State.SCHEDULED


@pytest.mark.parametrize(("role", "allowed"), [
    ("lead", True), ("team", True), ("manager", False), ("hr", False), ("chair", False),
    ("stranger", False),
])
def test_the_lead_or_team_report_milestones(world, role, allowed):
    tranche_release(tranche=world.tranches[0], actor=world.manager)
    call = lambda: tranche_report_milestone(  # noqa: E731
        tranche=world.tranches[0], actor=getattr(world, role), milestone_report="Done.")
    if allowed:
        call()
        assert _state(world.tranches[0]) == Tranche.State.REPORTED
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert _state(world.tranches[0]) == Tranche.State.RELEASED


def test_a_milestone_report_is_required(world):
    tranche_release(tranche=world.tranches[0], actor=world.manager)
    with pytest.raises(ValidationError) as excinfo:
        tranche_report_milestone(tranche=world.tranches[0], actor=world.lead, milestone_report=" ")
    assert "milestone_report" in excinfo.value.message_dict


def test_tranche_states_refuse_out_of_order_moves(world):
    first = world.tranches[0]
    with pytest.raises(TransitionStateConflict):  # not released yet
        tranche_report_milestone(tranche=first, actor=world.lead, milestone_report="Done.")
    tranche_release(tranche=first, actor=world.manager)
    with pytest.raises(TransitionStateConflict):
        tranche_release(tranche=first, actor=world.manager)
    with pytest.raises(TransitionStateConflict):  # released money is not cancelled
        tranche_cancel(tranche=first, actor=world.manager, reason="Too late.")


def test_cancel_needs_a_reason(world):
    with pytest.raises(ValidationError) as excinfo:
        tranche_cancel(tranche=world.tranches[0], actor=world.manager, reason="")
    assert "reason" in excinfo.value.message_dict


def test_no_release_on_a_completed_award(world):
    tranche_release(tranche=world.tranches[0], actor=world.manager)
    proposal_report_outcome(proposal=world.funded, actor=world.lead,
                            **{**OUTCOME, "amount_spent": "250000.00"})
    proposal_close(proposal=world.funded, actor=world.manager)
    # Closing cancelled the tranche not yet released: its money went back to the fund.
    second = Tranche.objects.get(pk=world.tranches[1].pk)
    assert second.state == Tranche.State.CANCELLED
    with pytest.raises(TransitionStateConflict):
        tranche_release(tranche=second, actor=world.manager)


# --- outcome -----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["lead", "team"])
def test_lead_or_team_report_the_outcome_even_when_it_did_not_succeed(world, role):
    release_all(world.award)
    proposal_report_outcome(proposal=world.funded, actor=getattr(world, role), note="Done", **OUTCOME)
    assert _state(world.funded) == Proposal.State.OUTCOME_REPORTED
    report = OutcomeReport.objects.get(proposal=world.funded)
    assert report.result == "did_not_succeed"
    assert report.get_result_display() == "Did not work as hoped — learning shared"
    assert report.amount_spent == D("380000.00")
    assert report.submitted_by == getattr(world, role)


@pytest.mark.parametrize("role", ["manager", "hr", "chair", "stranger"])
def test_others_may_not_report_the_outcome(world, role):
    with pytest.raises(PermissionDenied):
        proposal_report_outcome(proposal=world.funded, actor=getattr(world, role), **OUTCOME)
    assert not OutcomeReport.objects.filter(proposal=world.funded).exists()


@pytest.mark.parametrize("missing", ["result", "summary", "indicators", "amount_spent",
                                     "citizen_feedback", "next_step"])
def test_every_outcome_field_is_required(world, missing):
    fields = {**OUTCOME, missing: ""}
    with pytest.raises(ValidationError) as excinfo:
        proposal_report_outcome(proposal=world.funded, actor=world.lead, **fields)
    assert set(excinfo.value.message_dict) == {missing}
    assert _state(world.funded) == Proposal.State.FUNDED
    assert not OutcomeReport.objects.filter(proposal=world.funded).exists()


@pytest.mark.parametrize(("field", "value"), [
    ("amount_spent", "-1"), ("amount_spent", "ten"), ("amount_spent", "1.234"),
    ("result", "failed"), ("next_step", "abandon"),
])
def test_bad_outcome_values_are_refused(world, field, value):
    with pytest.raises(ValidationError) as excinfo:
        proposal_report_outcome(proposal=world.funded, actor=world.lead, **{**OUTCOME, field: value})
    assert field in excinfo.value.message_dict


def test_outcome_only_for_a_funded_proposal(world):
    with pytest.raises(TransitionStateConflict):
        proposal_report_outcome(proposal=world.recommended, actor=world.lead, **OUTCOME)


def test_close_accepts_the_report_and_completes_the_award(world):
    proposal_close(proposal=world.reported, actor=world.manager, note="Accepted with thanks")
    assert _state(world.reported) == Proposal.State.CLOSED
    assert _state(world.reported_award) == Award.State.COMPLETED
    award_log = TransitionLog.objects.for_object(world.reported_award).get()
    assert (award_log.transition, award_log.actor) == ("complete", world.manager)


@pytest.mark.parametrize("role", ["lead", "team", "hr", "chair", "stranger"])
def test_only_fund_managers_close(world, role):
    with pytest.raises(PermissionDenied):
        proposal_close(proposal=world.reported, actor=getattr(world, role))
    assert _state(world.reported_award) == Award.State.ACTIVE


def test_close_only_after_the_outcome_is_reported(world):
    with pytest.raises(TransitionStateConflict):
        proposal_close(proposal=world.funded, actor=world.manager)
    assert _state(world.award) == Award.State.ACTIVE
