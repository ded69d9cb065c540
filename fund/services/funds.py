"""Write side of funds, contributions and rounds."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from people.models import Agency
from workflow.dates import END, START, day_or_moment
from workflow.services import run_transition

from ..models import ZERO, Contribution, Fund, Round
from ..signals import round_created
from .awards import fund_available_balance


def _require_fund_manager(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_fund_manager):
        raise PermissionDenied(gettext("Only fund managers may do this."))


def _unique_slug(model, base: str, exclude_pk=None) -> str:
    base = slugify(base)[:40] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def fund_create(*, actor, name: str, description: str = "", currency: str = "BTN",
                slug: str = "", organisation: str = "", organisation_identifier: str = "") -> Fund:
    """Fund managers create funds; the slug is made unique."""
    _require_fund_manager(actor)
    fund = Fund(
        name=name, description=description, currency=currency or "BTN",
        slug=slug or _unique_slug(Fund, name), organisation=organisation,
        organisation_identifier=organisation_identifier,
    )
    fund.full_clean()
    fund.save()
    return fund


FUND_EDITABLE = ("name", "slug", "currency", "description", "organisation",
                 "organisation_identifier", "is_active")
ROUND_EDITABLE = ("fund", "title", "slug", "description", "opens_at", "closes_at", "budget",
                  "max_award", "min_partner_agencies", "min_panel_agencies", "reviews_required")


def _set_fields(obj, fields: dict, editable: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(editable))
    if unknown:
        raise ValidationError({name: gettext("This field cannot be changed here.") for name in unknown})
    for name, value in fields.items():
        setattr(obj, name, value)


def _money(value, field: str, message: str) -> Decimal:
    """A positive, finite Decimal from what was typed (never a float's binary error)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: gettext("Enter an amount in numbers.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: message})
    return amount


def fund_update(*, actor, fund: Fund, **fields) -> Fund:
    _require_fund_manager(actor)
    _set_fields(fund, fields, FUND_EDITABLE)
    fund.full_clean()
    fund.save()
    return fund


def contribution_create(*, actor, fund: Fund, agency: Agency, amount: Decimal, received_on,
                        note: str = "") -> Contribution:
    """A contribution is a positive amount an agency put into a fund."""
    _require_fund_manager(actor)
    amount = _money(amount, "amount", "A contribution must be more than zero.")
    contribution = Contribution(
        fund=fund, agency=agency, amount=amount, received_on=received_on, note=note, recorded_by=actor
    )
    contribution.full_clean()
    contribution.save()
    return contribution


CONTRIBUTION_EDITABLE = ("fund", "agency", "amount", "received_on", "note")


def _require_fund_manager_or_admin(actor) -> None:
    if not (actor and actor.is_authenticated
            and (actor.is_fund_manager or (actor.is_active and actor.is_superuser))):
        raise PermissionDenied(gettext("Only fund managers and administrators may correct "
                                       "contributions."))


def _money_text(fund: Fund, amount: Decimal) -> str:
    return f"{fund.currency} {amount:,.2f}"


def contribution_check_change(*, contribution: Contribution, fund: Fund | None,
                              amount: Decimal | None) -> None:
    """Refuse to lower a recorded contribution, or move it to another `fund`, when the fund it
    is stored under would be left with less available than nothing. Locks that fund's row
    (call inside a transaction), as `proposal_fund` does, so an award made at the same
    instant is counted."""
    stored = Contribution.objects.select_for_update().get(pk=contribution.pk)
    stored_fund = Fund.objects.select_for_update().get(pk=stored.fund_id)
    moved = fund is not None and fund.pk != stored.fund_id
    stays = ZERO if moved else (amount if amount is not None else stored.amount)
    reduction = stored.amount - stays
    if reduction <= 0:
        return
    available = fund_available_balance(fund=stored_fund)
    if available - reduction >= 0:
        return
    if moved:
        what, field = "Moving this contribution to another fund", "fund"
    else:
        what, field = f"Lowering this contribution by {_money_text(stored_fund, reduction)}", "amount"
    raise ValidationError({field: [
        gettext("%(what)s would leave the fund “%(stored_fund)s” below zero: it has "
                "%(money_text_stored_fund_available)s available, the rest is awarded.") % {
            "what": what, "stored_fund": stored_fund, "money_text_stored_fund_available": _money_text(stored_fund, available)}
    ]})


@transaction.atomic
def contribution_update(*, actor, contribution: Contribution, **fields) -> Contribution:
    """Correct a recorded contribution (the admin); never so that the fund it was recorded
    in is left with a negative available balance."""
    _require_fund_manager_or_admin(actor)
    _set_fields(contribution, fields, CONTRIBUTION_EDITABLE)
    contribution.full_clean()
    contribution_check_change(contribution=contribution, fund=contribution.fund,
                              amount=contribution.amount)
    contribution.save()
    return contribution


@transaction.atomic
def contributions_delete(*, actor, contributions) -> int:
    """Remove recorded contributions (the admin) only while every fund they were recorded in
    keeps an available balance of at least zero; all of them or none."""
    _require_fund_manager_or_admin(actor)
    pks = sorted(c.pk for c in contributions)
    rows = Contribution.objects.select_for_update().filter(pk__in=pks)
    removed: dict[int, Decimal] = {}
    for row in rows:
        removed[row.fund_id] = removed.get(row.fund_id, ZERO) + row.amount
    # Funds locked in one order (by id) so that two removals cannot deadlock.
    for fund in Fund.objects.select_for_update().filter(pk__in=removed).order_by("pk"):
        available = fund_available_balance(fund=fund)
        if available - removed[fund.pk] < 0:
            what = ("this contribution" if len(pks) == 1 else "these contributions")
            raise ValidationError({NON_FIELD_ERRORS: [
                gettext("Removing %(what)s (%(money_text_fund_removed_fund_pk)s) would leave the "
                        "fund “%(fund)s” below zero: it has %(money_text_fund_available)s "
                        "available, the rest is awarded.") % {
                    "what": what, "money_text_fund_removed_fund_pk": _money_text(fund, removed[fund.pk]), "fund": fund, "money_text_fund_available": _money_text(fund, available)}
            ]})
    count, _ = Contribution.objects.filter(pk__in=pks).delete()
    return count


def _validate_round(round_: Round) -> None:
    """Field checks first (they also turn typed text into dates and Decimals), then the
    checks across fields on the fields that passed."""
    errors: dict[str, list[str]] = {}
    # A day without a time (an import, the shell, a date object): opens at its start and
    # closes at its end in Asia/Thimphu (workflow/dates.py); forms and the API do the same.
    round_.opens_at = day_or_moment(round_.opens_at, START)
    round_.closes_at = day_or_moment(round_.closes_at, END)
    try:
        round_.full_clean(exclude=["state"])  # protected: only transitions change it
    except ValidationError as exc:
        errors = dict(exc.message_dict)

    def ok(*names):
        return all(n not in errors and getattr(round_, n) is not None for n in names)

    if ok("opens_at", "closes_at") and round_.closes_at <= round_.opens_at:
        errors["closes_at"] = ["The round must close after it opens."]
    if ok("budget", "max_award") and round_.max_award > round_.budget:
        errors["max_award"] = ["The maximum award cannot be more than the round's budget."]
    if ok("min_partner_agencies") and round_.min_partner_agencies < 1:
        errors["min_partner_agencies"] = ["At least one agency (the lead's) is needed."]
    if ok("reviews_required") and round_.reviews_required < 1:
        errors["reviews_required"] = ["At least one review is needed."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(*, actor, fund: Fund, title: str, opens_at, closes_at, budget: Decimal,
                 max_award: Decimal, description: str = "", slug: str = "",
                 min_partner_agencies: int = 2, min_panel_agencies: int = 3,
                 reviews_required: int = 3) -> Round:
    """A new round starts in draft with the default six-criterion rubric (given by reviews/,
    which listens for `round_created`)."""
    _require_fund_manager(actor)
    round_ = Round(
        fund=fund, title=title, description=description, opens_at=opens_at, closes_at=closes_at,
        budget=budget, max_award=max_award, slug=slug or _unique_slug(Round, title),
        min_partner_agencies=min_partner_agencies, min_panel_agencies=min_panel_agencies,
        reviews_required=reviews_required,
    )
    _validate_round(round_)
    round_.save()
    round_created.send(sender=Round, round=round_, actor=actor)
    return round_


# A closed round's terms: applicants and reviewers relied on them (DOMAIN.md, "Finished rounds
# are frozen"); the rubric is guarded in reviews.services.
FROZEN_WHEN_CLOSED = ("max_award", "reviews_required", "min_partner_agencies",
                      "min_panel_agencies")
# A round is archived only when none of its proposals is still on its way.
UNFINISHED = ("submitted", "in_review", "revision_requested", "recommended", "funded",
              "outcome_reported")


def round_change_problems(*, stored: Round, changed: Round, currency: str = "BTN") -> dict:
    """Why `stored` may not become `changed` ({field: [messages]}, empty when it may): an
    archived round never changes; a closed round's terms stay and its budget may only rise;
    no budget falls below what is awarded in the round. The one check behind the pages, the
    API and the admin."""
    if stored.state == Round.State.ARCHIVED:
        return {"__all__": ["An archived round cannot be changed."]}
    errors: dict[str, list[str]] = {}
    if stored.state == Round.State.CLOSED:
        for name in FROZEN_WHEN_CLOSED:
            if getattr(changed, name) != getattr(stored, name):
                errors[name] = ["The round is closed: its terms no longer change."]
        if changed.budget is not None and changed.budget < stored.budget:
            errors["budget"] = ["The round is closed: its budget may only rise."]
    committed = stored.committed
    if "budget" not in errors and changed.budget is not None and changed.budget < committed:
        errors["budget"] = [f"The round has {currency} {committed:,.2f} awarded already; "
                            "its budget cannot be less."]
    return errors


@transaction.atomic
def round_update(*, actor, round_: Round, **fields) -> Round:
    """Fund managers edit a round that is not archived; its budget never drops below what is
    already awarded in it. The fund's row is locked, as in `proposal_fund`, so an award made
    at the same instant is counted."""
    _require_fund_manager(actor)
    if round_.state == Round.State.ARCHIVED:
        raise ValidationError(gettext("An archived round cannot be changed."))
    # The awards draw on the fund the round is stored under (a draft may still move funds).
    stored_fund_id = Round.objects.filter(pk=round_.pk).values_list("fund_id", flat=True).get()
    fund = Fund.objects.select_for_update().get(pk=stored_fund_id)
    stored = Round.objects.get(pk=round_.pk)
    _set_fields(round_, fields, ROUND_EDITABLE)
    _validate_round(round_)
    errors = round_change_problems(stored=stored, changed=round_, currency=fund.currency)
    if errors:
        raise ValidationError(errors)
    round_.save()
    return round_


def _locked(round_: Round) -> Round:
    """Lock the round's row so two fund managers cannot move it at once. The caller's instance
    moves (pages read its new state afterwards) unless its state is stale: then the stored
    row decides, and the returned instance is the one to use."""
    fresh = Round.objects.select_for_update().get(pk=round_.pk)
    return round_ if fresh.state == round_.state else fresh


@transaction.atomic
def round_open(*, round_: Round, actor, note: str = "") -> Round:
    """A fund manager opens a draft round with its dates set (closing later) and a rubric."""
    round_ = _locked(round_)
    run_transition(instance=round_, name="open", actor=actor, note=note)
    return round_


@transaction.atomic
def round_close(*, round_: Round, actor, note: str = "", system: bool = False) -> Round:
    """Fund managers close a round; it also closes by itself at `closes_at` (system)."""
    round_ = _locked(round_)
    run_transition(instance=round_, name="close", actor=actor, note=note, system=system)
    return round_


@transaction.atomic
def round_archive(*, round_: Round, actor, note: str = "") -> Round:
    """A fund manager archives a closed round once every proposal in it has finished (none
    submitted, in review, awaiting revision, recommended, funded or awaiting closing); the
    refusal lists those that have not. Nothing of an archived round changes again."""
    from workflow.services import check_transition

    round_ = _locked(round_)
    check_transition(round_, "archive", actor)
    blocking = list(round_.proposals.filter(state__in=UNFINISHED).order_by("title", "pk")
                    .values_list("title", "state"))
    if blocking:
        listed = "; ".join(f"“{title}” ({state.replace('_', ' ')})"
                           for title, state in blocking[:20])
        more = f" and {len(blocking) - 20} more" if len(blocking) > 20 else ""
        raise ValidationError({"non_field_errors": [
            gettext("The round cannot be archived while %(len_blocking)s of its proposals are "
                    "still on their way: %(listed)s%(more)s.") % {
                "len_blocking": len(blocking), "listed": listed, "more": more}]})
    run_transition(instance=round_, name="archive", actor=actor, note=note)
    return round_


def rounds_close_due(*, now=None) -> list[Round]:
    """Close every open round whose `closes_at` has passed (run periodically; no actor)."""
    now = now or timezone.now()
    closed = []
    for round_ in Round.objects.filter(state=Round.State.OPEN, closes_at__lte=now):
        closed.append(round_close(round_=round_, actor=None, system=True,
                                  note="Closed automatically at its closing date."))
    return closed


ROUND_TRANSITIONS = {"open": round_open, "close": round_close, "archive": round_archive}
