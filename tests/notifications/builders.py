"""Objects of other apps that have no factory yet, built directly."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from workflow.models import TransitionLog


def logged(subject, transition, *, actor=None, note="", from_state="", to_state=""):
    """A transition log row as run_transition writes it (the notice table reads only these)."""
    return TransitionLog.objects.create(
        subject=subject, transition=transition, from_state=from_state or "x",
        to_state=to_state or "y", actor=actor, note=note,
    )


def award_for(proposal, *, by, approved_days_ago=0, tranche_due_in_days=(30,)):
    from fund.models import Award, Tranche

    award = Award.objects.create(
        proposal=proposal, amount=proposal.requested_amount or Decimal("100000.00"),
        approved_by=by, approved_at=timezone.now() - timedelta(days=approved_days_ago),
    )
    share = (award.amount / len(tranche_due_in_days)).quantize(Decimal("0.01"))
    for sequence, days in enumerate(tranche_due_in_days, start=1):
        Tranche.objects.create(
            award=award, sequence=sequence, amount=share, milestone=f"Milestone {sequence}",
            due_on=timezone.localdate() + timedelta(days=days),
        )
    return award


def make_assignment(world, reviewer, *, due_in_days=7, state="assigned"):
    from reviews.models import Assignment

    return Assignment.objects.create(
        proposal=world.proposal, reviewer=reviewer, panel=world.panel,
        due_on=timezone.localdate() + timedelta(days=due_in_days), assigned_by=world.chair,
        state=state,
    )


