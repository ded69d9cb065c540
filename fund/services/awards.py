"""Awards and tranches: money leaves the fund only here, never overdrawing it (issue 4).

The rule: an award is at most the requested amount, the round's `max_award`, the round's
remaining budget and the fund's available balance (contributions − awards not cancelled),
and its tranches add up to it exactly. Both sums are computed by the database while the
fund's row is locked, so two fund managers funding at the same instant are serialised.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from proposals.models import Proposal
from proposals.permissions import can_view_proposal
from proposals.selectors import proposals_visible_to
from workflow.services import check_transition, run_transition

from ..models import ZERO, Award, Contribution, Fund, Round, Tranche
from ..money import parse_money
from ..rules import can_cancel_award, can_cancel_tranche

__all__ = [
    "TRANCHE_TRANSITIONS", "AWARD_TRANSITIONS", "award_cancel", "awards_visible_to",
    "can_view_award", "fund_available_balance", "parse_money",
    "proposal_decline", "proposal_fund", "round_remaining_budget", "tranche_cancel",
    "tranche_release", "tranche_report_milestone",
]


# --- who may see an award ----------------------------------------------------------------
def can_view_award(user, award: Award) -> bool:
    """An award (and its tranches and letter) is seen by whoever may see its proposal."""
    return can_view_proposal(user, award.proposal)


def awards_visible_to(user) -> QuerySet[Award]:
    """The awards `user` may see: the same rule as `can_view_award`.

    Fund managers and HR officers see every proposal once submitted, so every award: that is
    asked of each award's own proposal (a join), so a page of awards reads its rows from the
    award index instead of first listing every visible proposal (issue 16)."""
    from proposals.models import Proposal

    if (user and user.is_authenticated and user.is_active
            and (user.is_fund_manager or user.is_hr_officer)):
        never_submitted = Q(proposal__state=Proposal.State.DRAFT) | Q(
            proposal__state=Proposal.State.WITHDRAWN, proposal__submitted_at__isnull=True)
        return Award.objects.exclude(never_submitted)
    # pk__in_ids (proposals.selectors.InIds): the visible ids are read first, then the awards
    # by their proposal, never a join of every award with every visible proposal.
    return Award.objects.filter(proposal__pk__in_ids=proposals_visible_to(user).values("pk"))


# --- money, computed by the database -------------------------------------------------------
def _committed(awards: QuerySet[Award]) -> Decimal:
    """What `awards` commit: their amounts less cancelled tranches (awards not cancelled)."""
    from ..models import committed_sum

    return committed_sum(awards)


def fund_available_balance(*, fund: Fund) -> Decimal:
    contributed = Contribution.objects.filter(fund=fund).aggregate(t=Sum("amount"))["t"] or ZERO
    return contributed - _committed(Award.objects.filter(proposal__round__fund=fund))


def round_remaining_budget(*, round_: Round) -> Decimal:
    return round_.budget - _committed(Award.objects.filter(proposal__round=round_))


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def _clean_tranches(tranches, amount: Decimal) -> list[Tranche]:
    """Each tranche has an amount, a due date and a milestone; together they make the award."""
    if not isinstance(tranches, list | tuple) or not tranches:
        raise ValidationError({"tranches": gettext("Plan at least one tranche.")})
    cleaned, errors = [], []
    previous_due = None
    for i, entry in enumerate(tranches, start=1):
        entry = entry if isinstance(entry, dict) else {}
        try:
            part = parse_money(entry.get("amount"), "tranches", label=gettext("Tranche %(number)s: the amount") % {"number": i})
        except ValidationError as error:
            errors.extend(error.message_dict["tranches"])
            part = None
        due_on = _parse_date(entry.get("due_on"))
        if due_on is None:
            errors.append(f"Tranche {i}: give a due date (YYYY-MM-DD).")
        elif due_on < timezone.localdate():
            errors.append(f"Tranche {i}: a tranche cannot fall due before the award is made "
                          f"(today, {timezone.localdate():%d %b %Y}).")
        elif previous_due and due_on < previous_due:
            errors.append(f"Tranche {i}: it cannot fall due before tranche {i - 1}.")
        previous_due = due_on or previous_due
        milestone = str(entry.get("milestone") or "").strip()
        if not milestone:
            errors.append(f"Tranche {i}: say what this money must achieve (the milestone).")
        cleaned.append(Tranche(sequence=i, amount=part, due_on=due_on, milestone=milestone))
    if errors:
        raise ValidationError({"tranches": errors})
    total = sum((t.amount for t in cleaned), ZERO)
    if total != amount:
        raise ValidationError(
            {"tranches": gettext("The tranches add up to %(total)s, but the award is %(amount)s; "
                                 "they must be equal.") % {
                "total": format(total, ",.2f"), "amount": format(amount, ",.2f")}}
        )
    return cleaned


def _check_may(instance, name: str, actor) -> None:
    """State first (409), then permission (403, saying who may act instead), before any
    input is judged (400)."""
    check_transition(instance, name, actor)


# --- the proposal's funding decision -------------------------------------------------------
@transaction.atomic
def proposal_fund(*, proposal: Proposal, actor, amount: Decimal | None = None,
                  tranches: list | None = None, conditions: str = "", note: str = "") -> Award:
    """A fund manager funds a recommended proposal: the award is at most the requested amount,
    the round's maximum award, the round's remaining budget and the fund's available balance,
    and its tranches sum to it. The fund's row is locked while this is checked and written."""
    # Lock the proposal alone here (`of`): the fund row below is the lock that guards money.
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("round").get(pk=proposal.pk)
    )
    _check_may(proposal, "fund", actor)
    amount = parse_money(amount, "amount")
    round_ = proposal.round
    if proposal.requested_amount is not None and amount > proposal.requested_amount:
        raise ValidationError({"amount": gettext("The award cannot be more than the requested "
                                                 "amount of %(requested_amount)s.") % {
            "requested_amount": format(proposal.requested_amount, ",.2f")}})
    if amount > round_.max_award:
        raise ValidationError({"amount": gettext("The award cannot be more than this round's "
                                                 "maximum award of %(max_award)s.") % {
            "max_award": format(round_.max_award, ",.2f")}})
    planned = _clean_tranches(tranches, amount)

    # Every award of a round draws on the round's fund: locking the fund row serialises all
    # awards that could compete for the same money, both the fund's balance and the round's.
    fund = Fund.objects.select_for_update().get(pk=round_.fund_id)
    # Read the budget again under the lock: `round_update` may have cut it (also under this
    # lock) after the proposal and its round were loaded above.
    round_.budget = Round.objects.values_list("budget", flat=True).get(pk=round_.pk)
    remaining = round_remaining_budget(round_=round_)
    if amount > remaining:
        raise ValidationError({"amount": gettext("The round has %(max_remaining_zero)s of its "
                                                 "budget left; this award of %(amount)s does not "
                                                 "fit.") % {
            "max_remaining_zero": format(max(remaining, ZERO), ",.2f"), "amount": format(amount, ",.2f")}})
    available = fund_available_balance(fund=fund)
    if amount > available:
        raise ValidationError({"amount": gettext("The fund has %(max_available_zero)s available; "
                                                 "this award of %(amount)s would overdraw it.") % {
            "max_available_zero": format(max(available, ZERO), ",.2f"), "amount": format(amount, ",.2f")}})

    run_transition(instance=proposal, name="fund", actor=actor, note=note)
    award = Award.objects.create(
        proposal=proposal, amount=amount, approved_by=actor, approved_at=timezone.now(),
        conditions=(conditions or "").strip(),
    )
    for tranche in planned:
        tranche.award = award
    Tranche.objects.bulk_create(planned)
    return award


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor, reason: str = "", note: str = "") -> Proposal:
    """A fund manager declines a recommended proposal, always saying why."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_may(proposal, "decline", actor)
    reason = (reason or note or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the proposal is declined (e.g. budget "
                                                 "exhausted).")})
    run_transition(instance=proposal, name="decline", actor=actor, note=reason)
    return proposal


# --- the award ------------------------------------------------------------------------------
@transaction.atomic
def award_cancel(*, award: Award, actor, reason: str = "", note: str = "") -> Award:
    """A fund manager cancels an award before any money is released; its amount returns to the
    fund and the round, and its scheduled tranches are cancelled."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    _check_may(award, "cancel", actor)
    reason = (reason or note or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the award is cancelled.")})
    # The same rule the award page reads before it offers "Cancel the award" (fund.rules).
    if refusal := can_cancel_award(award, list(award.tranches.all())):
        raise ValidationError({"non_field_errors": refusal})
    for tranche in award.tranches.filter(state=Tranche.State.SCHEDULED):
        run_transition(instance=tranche, name="cancel", actor=actor, note=reason)
    run_transition(instance=award, name="cancel", actor=actor, note=reason)
    return award


# --- tranches -------------------------------------------------------------------------------
def _locked_tranche(tranche: Tranche) -> Tranche:
    # Lock the award first: releases of one award's tranches happen one at a time, in order.
    Award.objects.select_for_update().filter(pk=tranche.award_id).first()
    return (
        Tranche.objects.select_for_update()
        .select_related("award", "award__proposal")
        .get(pk=tranche.pk)
    )


@transaction.atomic
def tranche_release(*, tranche: Tranche, actor, note: str = "") -> Tranche:
    """A fund manager releases a tranche of an active award; after the first, only once the
    previous tranche's milestone is reported."""
    tranche = _locked_tranche(tranche)
    run_transition(instance=tranche, name="release", actor=actor, note=note)
    return tranche


@transaction.atomic
def tranche_report_milestone(*, tranche: Tranche, actor, milestone_report: str = "",
                             note: str = "") -> Tranche:
    """The lead or a team member reports what a released tranche achieved."""
    tranche = _locked_tranche(tranche)
    _check_may(tranche, "report_milestone", actor)
    report = (milestone_report or "").strip()
    if not report:
        raise ValidationError({"milestone_report": gettext("Describe what this tranche achieved.")})
    run_transition(instance=tranche, name="report_milestone", actor=actor, note=note,
                   milestone_report=report)
    return tranche


@transaction.atomic
def tranche_cancel(*, tranche: Tranche, actor, reason: str = "", note: str = "") -> Tranche:
    """A fund manager cancels a tranche that has not been released, saying why."""
    tranche = _locked_tranche(tranche)
    _check_may(tranche, "cancel", actor)
    if refusal := can_cancel_tranche(tranche):  # the rule the award page reads (fund.rules)
        raise ValidationError({"non_field_errors": refusal})
    reason = (reason or note or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the tranche is cancelled.")})
    run_transition(instance=tranche, name="cancel", actor=actor, note=reason)
    return tranche


TRANCHE_TRANSITIONS = {
    "release": tranche_release,
    "report_milestone": tranche_report_milestone,
    "cancel": tranche_cancel,
}
AWARD_TRANSITIONS = {"cancel": award_cancel}
