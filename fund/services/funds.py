"""Write side of funds, contributions and rounds."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from people.models import Agency
from reviews.models import DEFAULT_RUBRIC, Criterion
from workflow.services import run_transition

from ..models import Contribution, Fund, Round


def _require_fund_manager(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_fund_manager):
        raise PermissionDenied("Only fund managers may do this.")


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
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    for name, value in fields.items():
        setattr(obj, name, value)


def _money(value, field: str, message: str) -> Decimal:
    """A positive, finite Decimal from what was typed (never a float's binary error)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "Enter an amount in numbers."}) from None
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


def _validate_round(round_: Round) -> None:
    """Field checks first (they also turn typed text into dates and Decimals), then the
    checks across fields on the fields that passed."""
    errors: dict[str, list[str]] = {}
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
    """A new round starts in draft with the default six-criterion rubric."""
    _require_fund_manager(actor)
    round_ = Round(
        fund=fund, title=title, description=description, opens_at=opens_at, closes_at=closes_at,
        budget=budget, max_award=max_award, slug=slug or _unique_slug(Round, title),
        min_partner_agencies=min_partner_agencies, min_panel_agencies=min_panel_agencies,
        reviews_required=reviews_required,
    )
    _validate_round(round_)
    round_.save()
    Criterion.objects.bulk_create(
        Criterion(round=round_, name=name, description=description, position=i)
        for i, (name, description) in enumerate(DEFAULT_RUBRIC)
    )
    return round_


def round_update(*, actor, round_: Round, **fields) -> Round:
    _require_fund_manager(actor)
    if round_.state == Round.State.ARCHIVED:
        raise ValidationError("An archived round cannot be changed.")
    _set_fields(round_, fields, ROUND_EDITABLE)
    _validate_round(round_)
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
    round_ = _locked(round_)
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
