"""What may be done with an award's money now, and why not (issue 15).

Each function is pure: it reads the award and its tranches already in hand (no query) and
returns the reason the step is refused, in the fund's words, or None when the money's state
allows it. The same functions decide twice:
- the services refuse with them (`fund.models`' release conditions, `award_cancel`), so the
  API and the pages are refused for the same reason;
- the pages offer a button only when they return None and the viewer holds the step's
  permission (`offered_tranche_actions`, `offered_award_actions`), so no button is offered
  that would then be refused.

Who may act (an unconflicted fund manager; the team for a milestone report) stays the state
machine's permission (`fund.models.is_unconflicted_fund_manager`), read with `may_run`.
States are read from the instance's own `State` class, so this module imports no model.
"""

from __future__ import annotations

from django.utils.translation import gettext

from workflow.services import may_run

MONEY_OUT = ("released", "reported")


def _ordered(tranches) -> list:
    return sorted(tranches, key=lambda t: t.sequence)


def previous_live_tranche(tranche, tranches):
    """The tranche before `tranche` that was not cancelled, or None (the first live one)."""
    earlier = [t for t in _ordered(tranches)
               if t.sequence < tranche.sequence and t.state != t.State.CANCELLED]
    return earlier[-1] if earlier else None


def award_active_refusal(award) -> str | None:
    if award.state != award.State.ACTIVE:
        if award.state == award.State.COMPLETED:
            return gettext("This award is completed: no more money is released on it.")
        if award.state == award.State.CANCELLED:
            return gettext("This award is cancelled: no money is released on it.")
        return gettext("Money is released only on an active award.")
    return None


def release_order_refusal(tranche, tranches) -> str | None:
    """Tranches are released in order: after the first live one, only once the previous live
    tranche's milestone is reported."""
    previous = previous_live_tranche(tranche, tranches)
    if previous is not None and previous.state != previous.State.REPORTED:
        return (gettext("Tranche %(sequence)s must be reported before tranche %(sequence2)s is "
                        "released.") % {
            "sequence": previous.sequence, "sequence2": tranche.sequence})
    return None


def can_release(tranche, tranches) -> str | None:
    """Why `tranche` may not be released now (None: it may). `tranches` are its award's."""
    if tranche.state != tranche.State.SCHEDULED:
        return gettext("Tranche %(sequence)s is %(state)s, not "
                       "scheduled.") % {
            "sequence": tranche.sequence, "state": tranche.get_state_display().lower()}
    return award_active_refusal(tranche.award) or release_order_refusal(tranche, tranches)


def can_cancel_tranche(tranche) -> str | None:
    """Only a scheduled tranche of an active award is cancelled: money already released stays
    released."""
    if tranche.state != tranche.State.SCHEDULED:
        if tranche.state in MONEY_OUT:
            return gettext("Tranche %(sequence)s was released: released money is not cancelled.") % {
                "sequence": tranche.sequence}
        return gettext("Tranche %(sequence)s is already cancelled.") % {
            "sequence": tranche.sequence}
    return award_active_refusal(tranche.award)


def can_report_milestone(tranche) -> str | None:
    if tranche.state != tranche.State.RELEASED:
        return gettext("Only a released tranche's milestone is reported; tranche %(sequence)s is "
                       "%(state)s.") % {
            "sequence": tranche.sequence, "state": tranche.get_state_display().lower()}
    return None


def can_cancel_award(award, tranches) -> str | None:
    """An award is cancelled only while active and before any of its money went out."""
    if award.state != award.State.ACTIVE:
        return gettext("This award is %(state)s; only an active award is "
                       "cancelled.") % {
            "state": award.get_state_display().lower()}
    if any(t.state in MONEY_OUT for t in tranches):
        return gettext("Money has already been released on this award; it cannot be cancelled.")
    return None


TRANCHE_RULES = {
    "release": lambda tranche, tranches: can_release(tranche, tranches),
    "cancel": lambda tranche, tranches: can_cancel_tranche(tranche),
    "report_milestone": lambda tranche, tranches: can_report_milestone(tranche),
}


def offered_tranche_actions(tranche, tranches, user) -> list[str]:
    """The tranche steps `user` may take now: the money's state allows it and the user holds
    the permission. `tranche.award` must be the award in hand (its proposal and team
    prefetched) so that this runs no query."""
    return [name for name, refusal in TRANCHE_RULES.items()
            if refusal(tranche, tranches) is None and may_run(tranche, name, user)]


def offered_award_actions(award, tranches, user) -> list[str]:
    return ["cancel"] if can_cancel_award(award, tranches) is None and may_run(
        award, "cancel", user) else []


def refusal_for(tranche, tranches, name: str) -> str | None:
    return TRANCHE_RULES[name](tranche, tranches)


def overdue_reason(tranche, tranches, today) -> str:
    """What is overdue about a tranche of an active award, in words ("" when nothing is): its
    release, once its due date has passed while it is still scheduled; its milestone report,
    once the next live tranche's due date has passed while that release waits for the report
    (`portal.home.milestone_reports_overdue` asks the database the same)."""
    if tranche.award.state != tranche.award.State.ACTIVE:
        return ""
    if tranche.state == tranche.State.SCHEDULED and tranche.due_on < today:
        return gettext("Release overdue")
    if tranche.state == tranche.State.RELEASED:
        later = [t for t in _ordered(tranches)
                 if t.sequence > tranche.sequence and t.state != t.State.CANCELLED]
        if later and later[0].due_on < today:
            return gettext("Milestone report overdue")
    return ""
