"""Outcome reports and closing a funded experiment (issue 4).

Every result counts: `did_not_succeed` is an honoured outcome (the fail-safe principle),
reported and accepted exactly like a success.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from fund.money import parse_money
from workflow.services import (
    check_transition,
    run_transition,
)

from ..models import OutcomeReport, Proposal

__all__ = ["OUTCOME_FIELDS", "proposal_close", "proposal_report_outcome"]

OUTCOME_FIELDS = (
    "result", "summary", "indicators", "amount_spent", "citizen_feedback", "next_step",
)


def _check_may(proposal: Proposal, name: str, actor) -> None:
    check_transition(proposal, name, actor)


def _clean_outcome(fields: dict) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    result = fields.get("result")
    if result not in OutcomeReport.Result.values:
        errors["result"] = "Choose how it went: succeeded, partly succeeded, or did not work as hoped."
    cleaned["result"] = result
    next_step = fields.get("next_step")
    if next_step not in OutcomeReport.NextStep.values:
        errors["next_step"] = "Choose the next step: scale up, iterate or stop."
    cleaned["next_step"] = next_step
    for name, message in (
        ("summary", "Summarise what happened."),
        ("indicators", "Report the indicators you measured against the success criteria."),
        ("citizen_feedback", "Say what citizens told you."),
    ):
        value = str(fields.get(name) or "").strip()
        if not value:
            errors[name] = message
        cleaned[name] = value
    raw = fields.get("amount_spent")
    spent = None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors["amount_spent"] = "Give the amount spent (0 if nothing was spent)."
    else:
        try:
            spent = parse_money(raw, "amount_spent", label=gettext("The amount spent"), allow_zero=True)
        except ValidationError as error:
            errors["amount_spent"] = error.message_dict["amount_spent"][0]
    cleaned["amount_spent"] = spent
    if errors:
        raise ValidationError(errors)
    return cleaned


def released_on(proposal: Proposal) -> Decimal:
    """The money released to `proposal` so far: its award's released and reported tranches."""
    from django.db.models import Sum

    from fund.models import Tranche

    return Tranche.objects.filter(
        award__proposal=proposal, state__in=(Tranche.State.RELEASED, Tranche.State.REPORTED)
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@transaction.atomic
def proposal_report_outcome(
    *, proposal: Proposal, actor, result: str = "", summary: str = "", indicators: str = "",
    amount_spent: Decimal | None = None, citizen_feedback: str = "", next_step: str = "",
    note: str = "",
) -> Proposal:
    """The lead or a team member of a funded proposal reports its outcome, whatever it was:
    result, summary, indicators, amount spent, citizen feedback and next step, all required."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_may(proposal, "report_outcome", actor)
    cleaned = _clean_outcome({
        "result": result, "summary": summary, "indicators": indicators,
        "amount_spent": amount_spent, "citizen_feedback": citizen_feedback, "next_step": next_step,
    })
    released = released_on(proposal)
    if cleaned["amount_spent"] > released:
        raise ValidationError({"amount_spent": (
            gettext("The amount spent (%(cleaned_amount_spent)s) cannot be more than the money "
                    "released to this proposal so far (%(released)s).") % {
                "cleaned_amount_spent": format(cleaned['amount_spent'], ",.2f"), "released": format(released, ",.2f")})})
    OutcomeReport.objects.update_or_create(
        proposal=proposal, defaults={**cleaned, "submitted_by": actor}
    )
    run_transition(instance=proposal, name="report_outcome", actor=actor, note=note)
    return proposal


@transaction.atomic
def proposal_close(*, proposal: Proposal, actor, note: str = "") -> Proposal:
    """A fund manager accepts the outcome report: the proposal closes, the award's tranches
    not yet released are cancelled (logged) so their money returns to the fund and the round,
    and the award is completed. Released tranches stay released."""
    from fund.models import Award, Tranche

    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_may(proposal, "close", actor)
    run_transition(instance=proposal, name="close", actor=actor, note=note)
    award = Award.objects.select_for_update().filter(proposal=proposal).first()
    if award is not None and award.state == Award.State.ACTIVE:
        for tranche in award.tranches.select_for_update().filter(state=Tranche.State.SCHEDULED):
            run_transition(instance=tranche, name="cancel", actor=actor,
                           note="Not released when the proposal closed: the money returns "
                                "to the fund.")
        run_transition(instance=award, name="complete", actor=actor, note=note)
    return proposal
