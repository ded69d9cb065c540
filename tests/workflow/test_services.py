"""run_transition, available_transitions and the append-only transition log."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from people.factories import UserFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from workflow.models import TransitionLog
from workflow.services import (
    TransitionStateConflict,
    UnknownTransition,
    available_transitions,
    check_transition,
    history,
    may_run,
    run_transition,
)

pytestmark = pytest.mark.django_db


def test_run_transition_changes_state_and_logs_one_row():
    proposal = ProposalFactory(ready=True)
    log = run_transition(instance=proposal, name="submit", actor=proposal.lead, note="Go.")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    assert (log.subject, log.transition, log.from_state, log.to_state, log.actor, log.note) == (
        proposal, "submit", "draft", "submitted", proposal.lead, "Go.")
    assert log.at is not None
    assert list(history(proposal)) == [log]


def test_refusals_log_nothing_and_keep_the_state():
    proposal = ProposalFactory(partners=[])  # not ready: conditions fail
    with pytest.raises(PermissionDenied):
        run_transition(instance=proposal, name="submit", actor=UserFactory())
    with pytest.raises(ValidationError) as caught:
        run_transition(instance=proposal, name="submit", actor=proposal.lead)
    assert "partner_agencies" in caught.value.message_dict
    with pytest.raises(TransitionStateConflict) as conflict:
        run_transition(instance=proposal, name="send_to_review", actor=proposal.lead)
    assert conflict.value.state == "draft"
    assert "the proposal is “Draft”" in str(conflict.value)
    with pytest.raises(UnknownTransition):
        run_transition(instance=proposal, name="teleport", actor=proposal.lead)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DRAFT
    assert not TransitionLog.objects.exists()


def test_check_transition_reports_state_before_permission():
    proposal = ProposalFactory(in_review=True)
    with pytest.raises(TransitionStateConflict):
        check_transition(proposal, "screen_out", UserFactory())  # stranger, wrong state
    check_transition(ProposalFactory(submitted=True), "screen_out", UserFactory(fund_manager=True))


def test_system_transition_has_no_actor():
    proposal = ProposalFactory(submitted=True)
    log = run_transition(instance=proposal, name="send_to_review", actor=None, system=True)
    assert log.actor is None


def test_available_transitions_by_role():
    draft = ProposalFactory(ready=True)
    assert available_transitions(draft, draft.lead) == ["submit", "withdraw"]
    assert available_transitions(draft, UserFactory(fund_manager=True)) == []
    submitted = ProposalFactory(submitted=True)
    assert sorted(available_transitions(submitted, UserFactory(fund_manager=True))) == [
        "screen_out", "send_to_review"]
    assert available_transitions(submitted, submitted.lead) == ["withdraw"]
    assert available_transitions(submitted, UserFactory(hr_officer=True)) == []
    assert not may_run(submitted, "submit", submitted.lead)


def test_log_is_append_only():
    proposal = ProposalFactory(ready=True)
    log = run_transition(instance=proposal, name="submit", actor=proposal.lead)
    log.note = "rewritten"
    with pytest.raises(TypeError):
        log.save()
    with pytest.raises(TypeError):
        log.delete()
    with pytest.raises(TypeError):
        TransitionLog.objects.filter(pk=log.pk).update(note="rewritten")
    with pytest.raises(TypeError):
        TransitionLog.objects.all().delete()
    with pytest.raises(TypeError), transaction.atomic():
        TransitionLog.objects.bulk_update([log], ["note"])
    log.refresh_from_db()
    assert log.note == "" and TransitionLog.objects.count() == 1


def test_history_is_per_object_and_in_order():
    a, b = ProposalFactory(ready=True), ProposalFactory(ready=True)
    run_transition(instance=a, name="submit", actor=a.lead)
    run_transition(instance=b, name="submit", actor=b.lead)
    run_transition(instance=a, name="withdraw", actor=a.lead)
    assert [r.transition for r in history(a)] == ["submit", "withdraw"]
    assert [r.transition for r in history(b)] == ["submit"]
