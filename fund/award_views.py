"""Pages for awards, tranches and outcome reports (issue 4).

Views parse input, call one service from `fund.services.awards` or
`proposals.services.outcomes`, and show the result; a refused action shows the
service's message on the page (400 bad input, 403 not allowed, 409 wrong state).
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from proposals.conflicts import own_conflict_reason
from proposals.models import OutcomeReport, Proposal
from proposals.permissions import can_view_proposal
from proposals.services.outcomes import proposal_close, proposal_report_outcome
from workflow.display import money
from workflow.ids import parse_id
from workflow.pages import page_of
from workflow.services import TransitionStateConflict, may_run, transition_allowed_in_state

from .models import MONEY, ZERO, Award, Round, Tranche
from .money import parse_money
from .rules import (
    can_cancel_award,
    offered_award_actions,
    offered_tranche_actions,
    overdue_reason,
    refusal_for,
)
from .selectors import can_view_fund, fund_balance_by_agency, funds_with_balance
from .services.awards import (
    AWARD_TRANSITIONS,
    TRANCHE_TRANSITIONS,
    awards_visible_to,
    can_view_award,
    fund_available_balance,
    proposal_decline,
    proposal_fund,
    round_remaining_budget,
)

PAGE_SIZE = 25
RELEASED = (Tranche.State.RELEASED, Tranche.State.REPORTED)


def _money_sum(field: str, condition: Q | None = None):
    return Coalesce(Sum(field, filter=condition), Value(ZERO), output_field=DecimalField(**MONEY))


def _page(request, queryset):
    return page_of(request, queryset, PAGE_SIZE)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _messages_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages]
                for field, errs in error.error_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def _apply_errors(form: forms.Form, error: ValidationError, *, elsewhere: set = frozenset()):
    """Service errors next to the form's fields; the rest (e.g. `tranches`) are returned."""
    rest = {}
    for field, msgs in _messages_of(error).items():
        if field in form.fields:
            for message in msgs:
                form.add_error(field, message)
        elif field in elsewhere:
            rest[field] = msgs
        else:
            for message in msgs:
                form.add_error(None, message)
    return rest


# --- awards ------------------------------------------------------------------------------------
def _overdue_annotations(today) -> dict:
    """Whether an active award has a release past its due date, or a milestone report holding
    up the next tranche past its date (fund.rules.overdue_reason, asked of the database)."""
    live_after = (
        Tranche.objects.filter(award=OuterRef("award"), sequence__gt=OuterRef("sequence"))
        .exclude(state=Tranche.State.CANCELLED).order_by("sequence").values("due_on")[:1]
    )
    late_release = Tranche.objects.filter(
        award=OuterRef("pk"), state=Tranche.State.SCHEDULED, due_on__lt=today)
    late_report = Tranche.objects.filter(
        award=OuterRef("pk"), state=Tranche.State.RELEASED,
    ).annotate(next_due_on=Subquery(live_after)).filter(next_due_on__lt=today)
    active = Q(state=Award.State.ACTIVE)
    return {
        "release_overdue": ExpressionWrapper(active & Exists(late_release),
                                             output_field=BooleanField()),
        "report_overdue": ExpressionWrapper(active & Exists(late_report),
                                            output_field=BooleanField()),
    }


def _award_list_queryset(user):
    """The awards `user` may see, newest first, with their released money and tranches: each
    a subquery on the award's own tranches (no GROUP BY over every award), so a page is read
    from the (approved_at, id) index and only its rows are summed (issue 16)."""
    own = Tranche.objects.filter(award=OuterRef("pk")).order_by().values("award")
    released = own.filter(state__in=RELEASED).annotate(total=Sum("amount")).values("total")
    return (
        awards_visible_to(user)
        .select_related(
            "proposal", "proposal__lead", "proposal__lead__agency", "proposal__round",
            "proposal__round__fund",
        )
        .annotate(
            released_amount=Coalesce(Subquery(released, output_field=DecimalField(**MONEY)),
                                     Value(ZERO), output_field=DecimalField(**MONEY)),
            tranche_count=Coalesce(Subquery(own.annotate(n=Count("pk")).values("n"),
                                            output_field=IntegerField()), Value(0)),
            **_overdue_annotations(timezone.localdate()),
        )
        .order_by("-approved_at", "-id")
    )


@login_required
def award_list(request):
    awards = _award_list_queryset(request.user)
    state = request.GET.get("state", "")
    round_pk = parse_id(request.GET.get("round"))  # not an id: the filter is left out
    round_id = str(round_pk or "")
    if state in Award.State.values:
        awards = awards.filter(state=state)
    if round_pk:
        awards = awards.filter(proposal__round_id=round_pk)
    rounds = Round.objects.filter(
        pk__in=awards_visible_to(request.user).values("proposal__round")
    ).order_by("-opens_at")
    return render(request, "awards/award_list.html", {
        "page_obj": _page(request, awards), "query": _query_without_page(request),
        "states": Award.State.choices, "rounds": rounds, "state": state, "round_id": round_id,
    })


def _visible_award(request, pk: int) -> Award:
    award = get_object_or_404(
        Award.objects.select_related(
            "proposal", "proposal__lead", "proposal__lead__agency", "proposal__round",
            "proposal__round__fund", "approved_by",
        ).prefetch_related("proposal__team"),
        pk=pk,
    )
    if not can_view_award(request.user, award):
        raise Http404(gettext("No such award."))
    return award


def _render_award(request, award: Award, *, failed: dict | None = None, status: int = 200):
    """The award page; `failed` = {"tranche": pk, "name": ..., "errors": {...}, "values": {...}}.

    Only the steps the viewer may take now are offered (fund.rules: the rules the services
    refuse with); release and cancel open a page that says what will happen before it does.
    """
    if failed and "errors" in failed:  # what is not shown next to a field goes at the top
        failed["general"] = [m for field, msgs in failed["errors"].items()
                             if field not in ("milestone_report", "reason") for m in msgs]
    tranches = list(award.tranches.all())
    today = timezone.localdate()
    rows = []
    for tranche in tranches:
        tranche.award = award  # the permission checks read the award's proposal and team
        names = offered_tranche_actions(tranche, tranches, request.user)
        mine = failed if failed and failed.get("tranche") == tranche.pk else None
        rows.append({"tranche": tranche, "actions": names, "failed": mine,
                     "overdue": overdue_reason(tranche, tranches, today)})
    released = sum((t.amount for t in tranches if t.state in RELEASED), ZERO)
    returned = sum((t.amount for t in tranches if t.state == Tranche.State.CANCELLED), ZERO)
    committed = ZERO if award.state == Award.State.CANCELLED else award.amount - returned
    award_actions = offered_award_actions(award, tranches, request.user)
    proposal = award.proposal
    return render(request, "awards/award_detail.html", {
        "award": award, "proposal": proposal, "currency": proposal.round.fund.currency,
        "rows": rows, "released": released, "returned": returned, "committed": committed,
        "to_release": committed - released,
        "overdue_count": sum(1 for row in rows if row["overdue"]),
        "award_actions": award_actions,
        "award_failed": failed if failed and failed.get("award") else None,
        "outcome": OutcomeReport.objects.filter(proposal=proposal).first(),
        "can_report_outcome": may_run(proposal, "report_outcome", request.user),
    }, status=status)


@login_required
def award_detail(request, pk: int):
    return _render_award(request, _visible_award(request, pk))


def _refusal(error) -> tuple[list[str], int]:
    if isinstance(error, ValidationError):
        return [m for msgs in _messages_of(error).values() for m in msgs], 400
    if isinstance(error, TransitionStateConflict):
        return [str(error)], 409
    return [str(error) or "You may not do this."], 403


# --- money steps: a page says what will happen, then the form does it ----------------------------
def _fund_money_out(fund) -> Decimal:
    """The fund's money already paid out: released tranches of awards not cancelled."""
    return Tranche.objects.filter(
        award__proposal__round__fund=fund, state__in=RELEASED,
    ).exclude(award__state=Award.State.CANCELLED).aggregate(
        total=_money_sum("amount"))["total"]


def _confirm_facts(award: Award, *, releases=ZERO, returns=ZERO) -> list[tuple[str, str]]:
    """The figures a fund manager reads before money moves: what changes, and what stays."""
    round_ = award.proposal.round
    fund = round_.fund
    currency = fund.currency
    available = fund_available_balance(fund=fund)
    remaining = round_remaining_budget(round_=round_)
    paid_out = _fund_money_out(fund)
    contributed = fund.contributions.aggregate(total=_money_sum("amount"))["total"]
    facts = []
    if releases:
        facts += [
            ("Paid to the project so far", money(_award_released(award), currency)),
            ("Paid to the project after this", money(_award_released(award) + releases, currency)),
            ("Fund balance after (contributions not yet paid out)",
             money(contributed - paid_out - releases, currency)),
            ("Available for new awards (unchanged: this money was set aside when the award "
             "was made)", money(available, currency)),
        ]
    if returns:
        facts += [
            ("Returned to the fund", money(returns, currency)),
            ("Available for new awards after", money(available + returns, currency)),
            (f"Left in the budget of “{round_.title}” after", money(remaining + returns, currency)),
        ]
    return facts


def _award_released(award: Award) -> Decimal:
    return sum((t.amount for t in award.tranches.all() if t.state in RELEASED), ZERO)


CONFIRM_TEMPLATE = "awards/confirm.html"


def _state_refusal(instance, name: str, user, rule_refusal) -> str | None:
    """Why the object's state refuses the step, or None; in the services' order: the state
    machine (409, whoever asks), then who asks (403: None here, the caller says it), then the
    money's rules in fund.rules (`rule_refusal()`, 409).

    The confirmation pages answer a state refusal 409 on GET and POST alike, whatever was
    typed; a refusal because of who asks is 403; input the form needs (a reason) is 400."""
    if not transition_allowed_in_state(instance, name):
        return rule_refusal() or str(TransitionStateConflict(instance, name))
    if not may_run(instance, name, user):
        return None
    return rule_refusal()


def _confirm_tranche_page(request, tranche, award, name, *, errors=(), values=None,
                          status=200):
    currency = award.proposal.round.fund.currency
    amount = money(tranche.amount, currency)
    title = award.proposal.title
    tranches = list(award.tranches.all())
    for t in tranches:
        t.award = award
    tranche = next(t for t in tranches if t.pk == tranche.pk)
    refused = _state_refusal(tranche, name, request.user,
                             lambda: refusal_for(tranche, tranches, name))
    if refused:
        errors, status = [refused], 409  # the money's state refuses it
    elif not may_run(tranche, name, request.user):
        refused = "Only a fund manager with no conflict of interest with this proposal moves its money."
    if name == "release":
        question = f"Release tranche {tranche.sequence} of {amount} to “{title}”?"
        facts = _confirm_facts(award, releases=tranche.amount)
        button, field = f"Yes, release tranche {tranche.sequence}", "note"
        what = ("The money is paid to the project's lead. A released tranche cannot be "
                "cancelled; the next tranche waits for this one's milestone report.")
    else:
        question = f"Cancel tranche {tranche.sequence} of {amount} of “{title}”?"
        facts = _confirm_facts(award, returns=tranche.amount)
        button, field = f"Yes, cancel tranche {tranche.sequence}", "reason"
        what = "The tranche is never paid: its money returns to the fund and the round."
    if refused and not errors:
        errors, status = [refused], 403
    return render(request, CONFIRM_TEMPLATE, {
        "award": award, "proposal": award.proposal, "question": question, "facts": facts,
        "what": what, "button": button, "field": field, "values": values or {},
        "errors": list(errors), "offered": not refused,
        "milestone": tranche.milestone, "action": request.path,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tranche_transition(request, pk: int, name: str):
    tranche = get_object_or_404(Tranche, pk=pk)
    award = _visible_award(request, tranche.award_id)
    if name not in TRANCHE_TRANSITIONS:
        raise Http404(gettext("No such action."))
    if request.method == "GET":
        if name == "report_milestone":  # its form is on the award page
            return redirect(f"{reverse('awards:detail', args=[award.pk])}#tranche-{tranche.pk}-actions")
        return _confirm_tranche_page(request, tranche, award, name)
    values = {k: request.POST.get(k, "") for k in ("note", "milestone_report", "reason")}
    kwargs = {"tranche": tranche, "actor": request.user, "note": values["note"]}
    if name == "report_milestone":
        kwargs["milestone_report"] = values["milestone_report"]
    if name == "cancel":
        kwargs["reason"] = values["reason"]
    done = {
        "release": f"Tranche {tranche.sequence} released.",
        "report_milestone": f"Milestone of tranche {tranche.sequence} reported.",
        "cancel": f"Tranche {tranche.sequence} cancelled; its money is back in the fund.",
    }[name]
    try:
        TRANCHE_TRANSITIONS[name](**kwargs)
    except (ValidationError, PermissionDenied, TransitionStateConflict) as error:
        if name == "report_milestone":
            failed = {"tranche": tranche.pk, "name": name, "values": values,
                      "errors": _messages_of(error) if isinstance(error, ValidationError)
                      else {"non_field_errors": _refusal(error)[0]}}
            return _render_award(request, _visible_award(request, award.pk), failed=failed,
                                 status=_refusal(error)[1])
        messages_, status = _refusal(error)
        return _confirm_tranche_page(request, tranche, _visible_award(request, award.pk), name,
                                     errors=messages_, values=values, status=status)
    messages.success(request, done)
    return redirect("awards:detail", award.pk)


def _confirm_award_cancel(request, award, *, errors=(), values=None, status=200):
    tranches = list(award.tranches.all())
    refused = _state_refusal(award, "cancel", request.user,
                             lambda: can_cancel_award(award, tranches))
    if refused:
        errors, status = [refused], 409  # the award's state refuses it
    elif not may_run(award, "cancel", request.user):
        refused = "Only a fund manager with no conflict of interest with this proposal cancels its award."
    currency = award.proposal.round.fund.currency
    returns = award.amount - sum((t.amount for t in tranches if t.state == Tranche.State.CANCELLED),
                                 ZERO)
    if refused and not errors:
        errors, status = [refused], 403
    return render(request, CONFIRM_TEMPLATE, {
        "award": award, "proposal": award.proposal,
        "question": f"Cancel the award of {money(award.amount, currency)} to "
                    f"“{award.proposal.title}”?",
        "facts": _confirm_facts(award, returns=returns) if award.state == Award.State.ACTIVE else [],
        "what": "None of its money has been paid. Its scheduled tranches are cancelled and the "
                "whole amount returns to the fund and the round. This cannot be undone.",
        "button": "Yes, cancel the award", "field": "reason", "values": values or {},
        "errors": list(errors), "offered": not refused, "action": request.path,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def award_transition(request, pk: int, name: str):
    award = _visible_award(request, pk)
    if name not in AWARD_TRANSITIONS:
        raise Http404(gettext("No such action."))
    if request.method == "GET":
        return _confirm_award_cancel(request, award)
    values = {k: request.POST.get(k, "") for k in ("note", "reason")}
    try:
        AWARD_TRANSITIONS[name](award=award, actor=request.user, **values)
    except (ValidationError, PermissionDenied, TransitionStateConflict) as error:
        messages_, status = _refusal(error)
        return _confirm_award_cancel(request, _visible_award(request, pk), errors=messages_,
                                     values=values, status=status)
    messages.success(request, gettext("The award is cancelled; its amount is back in the fund."))
    return redirect("awards:detail", award.pk)


# --- funding decisions -------------------------------------------------------------------------
class FundForm(forms.Form):
    amount = forms.CharField(
        label=_("Award amount"), max_length=20,
        help_text=_("At most the requested amount, the round's maximum award and what the round "
                    "and the fund have left."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                      "data-award-amount": ""}),
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed in the award letter. Leave empty for the fund's standard conditions."),
    )
    note = forms.CharField(label=_("Note for the history"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why is the proposal declined?"),
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("The applicant reads this, e.g. “the round's budget is "
                                         "exhausted”."))


def _decidable_proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "round__fund", "lead", "lead__agency")
        .prefetch_related("team"),
        pk=pk,
    )
    if not can_view_proposal(request.user, proposal):
        raise Http404(gettext("No such proposal."))
    if not request.user.is_fund_manager:
        raise PermissionDenied(gettext("Only fund managers fund or decline proposals."))
    return proposal


def _tranche_rows(request, count: int) -> list[dict]:
    return [
        {
            "index": i,
            "amount": request.POST.get(f"tranche-{i}-amount", "").strip(),
            "due_on": request.POST.get(f"tranche-{i}-due_on", "").strip(),
            "milestone": request.POST.get(f"tranche-{i}-milestone", "").strip(),
        }
        for i in range(1, count + 1)
    ]


def _add_months(day, months: int):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month - 1]
    return day.replace(year=year, month=month, day=min(day.day, last))


SUGGESTED_MILESTONES = (
    "Set-up: the team and partner agencies ready and the pilot started.",
    "Half-way: the pilot running; what was learned so far reported.",
)


def suggested_tranches(proposal: Proposal, count: int) -> list[dict]:
    """A first tranche plan for the award form, to be changed at will: the requested amount in
    two tranches (the first takes the odd cent), the first due in two weeks, the second half-way
    through the experiment's duration, each with a milestone to reword."""
    today = timezone.localdate()
    amount = proposal.requested_amount
    first_due = today + datetime.timedelta(days=14)
    half_way = _add_months(today, max((proposal.duration_months or 2) // 2, 1))
    second_due = max(half_way, first_due + datetime.timedelta(days=30))
    plan = []
    if amount is not None and amount >= Decimal("0.02"):
        second = (amount / 2).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        parts = [(amount - second, first_due), (second, second_due)]
        plan = [{"index": i, "amount": f"{part:.2f}", "due_on": due.isoformat(),
                 "milestone": SUGGESTED_MILESTONES[i - 1]}
                for i, (part, due) in enumerate(parts, start=1)]
    rows = plan[:count]
    rows += [{"index": i, "amount": "", "due_on": "", "milestone": ""}
             for i in range(len(rows) + 1, count + 1)]
    return rows


def tranche_total(rows: list[dict], amount_text, currency: str = "BTN") -> dict:
    """The tranche plan's running total against the award amount, as the page shows it (the
    script tranches.js redoes it while typing; this is what shows without it or after an
    error)."""
    total, unreadable = ZERO, 0
    for row in rows:
        if not str(row["amount"]).strip():
            continue
        try:
            total += parse_money(row["amount"], "amount")
        except ValidationError:
            unreadable += 1
    try:
        amount = parse_money(amount_text, "amount")
    except ValidationError:
        amount = None
    if unreadable:
        check = ("One tranche amount is not an amount in figures." if unreadable == 1
                 else f"{unreadable} tranche amounts are not amounts in figures.")
    elif amount is None:
        check = ""
    elif total == amount:
        check = "This matches the award amount."
    elif total < amount:
        check = f"{money(amount - total, currency)} less than the award amount: plan the rest."
    else:
        check = f"{money(total - amount, currency)} more than the award amount."
    return {"total": total, "check": check,
            "matches": amount is not None and total == amount and not unreadable}


def _row_count(request) -> int:
    try:
        count = int(request.POST.get("rows") or request.GET.get("rows") or 3)
    except ValueError:
        count = 3
    return min(max(count, 1), 12)


def run_for_form(form: forms.Form, call, *, elsewhere: set = frozenset()):
    """Run `call()` (a service) for a page's form; a refusal lands on the form, saying why.

    Returns `(result, status, rest)`: on success `status` is None; a failed condition is 400
    with the messages next to their fields (`rest`: those for `elsewhere`, e.g. `tranches`),
    not allowed is 403 and a state that does not allow it is 409, both above the form.
    """
    try:
        return call(), None, {}
    except ValidationError as error:
        return None, 400, _apply_errors(form, error, elsewhere=elsewhere)
    except (PermissionDenied, TransitionStateConflict) as error:
        form.add_error(None, str(error))
        return None, (409 if isinstance(error, TransitionStateConflict) else 403), {}


@login_required
def fund_proposal(request, pk: int):
    """The fund manager's award form for a recommended proposal, with its tranche plan."""
    proposal = _decidable_proposal(request, pk)
    count = _row_count(request)
    status, tranche_errors = 200, []
    if request.method == "POST":
        form = FundForm(request.POST)
        rows = _tranche_rows(request, count)
        if "add_row" in request.POST:  # another tranche row, keeping what was typed
            count = min(count + 1, 12)
            rows = _tranche_rows(request, count)
            form = FundForm(initial={k: request.POST.get(k, "") for k in FundForm.base_fields})
        elif form.is_valid():
            plan = [
                {"amount": r["amount"], "due_on": r["due_on"], "milestone": r["milestone"]}
                for r in rows if r["amount"] or r["due_on"] or r["milestone"]
            ]
            award, refused, rest = run_for_form(form, lambda: proposal_fund(
                proposal=proposal, actor=request.user, amount=form.cleaned_data["amount"],
                tranches=plan, conditions=form.cleaned_data["conditions"],
                note=form.cleaned_data["note"],
            ), elsewhere={"tranches"})
            if refused is None:
                messages.success(request, gettext("“%(title)s” is funded.") % {
                    "title": proposal.title})
                return redirect("awards:detail", award.pk)
            status, tranche_errors = refused, rest.get("tranches", [])
        else:
            status = 400
    else:
        form = FundForm(initial={"amount": proposal.requested_amount})
        rows = suggested_tranches(proposal, count)
    amount_text = request.POST.get("amount") if request.method == "POST" else (
        proposal.requested_amount)
    return render(request, "awards/fund_form.html", {
        "proposal": proposal, "form": form, "rows": rows, "row_count": count,
        "running": tranche_total(rows, amount_text, proposal.round.fund.currency),
        "tranche_errors": tranche_errors, "currency": proposal.round.fund.currency,
        "can_fund": may_run(proposal, "fund", request.user),
        "own_conflict": own_conflict_reason(request.user, proposal),
        "remaining": round_remaining_budget(round_=proposal.round),
        "available": fund_available_balance(fund=proposal.round.fund),
    }, status=status)


@login_required
def decline_proposal(request, pk: int):
    proposal = _decidable_proposal(request, pk)
    status = 200
    if request.method == "POST":
        form = DeclineForm(request.POST)
        if form.is_valid():
            _, refused, _ = run_for_form(form, lambda: proposal_decline(
                proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]))
            if refused is None:
                messages.success(request, gettext("“%(title)s” is declined.") % {
                    "title": proposal.title})
                return redirect("awards:outcome", proposal.pk)
            status = refused
        else:
            status = 400
    else:
        form = DeclineForm()
    return render(request, "awards/decline_form.html", {
        "proposal": proposal, "form": form,
        "can_decline": may_run(proposal, "decline", request.user),
        "own_conflict": own_conflict_reason(request.user, proposal),
    }, status=status)


# --- outcome ------------------------------------------------------------------------------------
class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        label=_("How did the experiment go?"), choices=OutcomeReport.Result.choices,
        widget=forms.RadioSelect,
        help_text=_("Every result is honoured: an experiment that did not work as hoped teaches "
                    "as much as one that did, and never lowers anyone's record."),
    )
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    indicators = forms.CharField(
        label=_("Indicators against the success criteria"), widget=forms.Textarea(attrs={"rows": 4}))
    amount_spent = forms.CharField(label=_("Amount spent"), max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    citizen_feedback = forms.CharField(label=_("What citizens told you"),
                                       widget=forms.Textarea(attrs={"rows": 4}))
    next_step = forms.ChoiceField(label=_("Next step"), choices=OutcomeReport.NextStep.choices,
                                  widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note for the history"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _visible_proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "round__fund", "lead").prefetch_related("team"),
        pk=pk,
    )
    if not can_view_proposal(request.user, proposal):
        raise Http404(gettext("No such proposal."))
    return proposal


@login_required
def outcome(request, pk: int):
    """The outcome of a funded proposal: the lead or team reports it; a fund manager accepts it."""
    proposal = _visible_proposal(request, pk)
    status = 200
    form = None
    can_report = may_run(proposal, "report_outcome", request.user)
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items()}
            _, refused, _ = run_for_form(form, lambda: proposal_report_outcome(
                proposal=proposal, actor=request.user, **data))
            if refused is None:
                messages.success(request, gettext("Thank you: the outcome is reported."))
                return redirect("awards:outcome", proposal.pk)
            status = refused
        else:
            status = 400
    elif can_report:
        form = OutcomeForm()
    award = Award.objects.filter(proposal=proposal).first()
    return render(request, "awards/outcome.html", {
        "proposal": proposal, "form": form, "award": award,
        "report": OutcomeReport.objects.filter(proposal=proposal).first(),
        "can_close": may_run(proposal, "close", request.user),
        "currency": proposal.round.fund.currency,
    }, status=status)


def _confirm_close(request, proposal, *, errors=(), status=200):
    award = Award.objects.filter(proposal=proposal).select_related(
        "proposal__round__fund").first()
    offered = may_run(proposal, "close", request.user)
    if not offered and not errors:
        errors = ["Only a fund manager with no conflict of interest with this proposal accepts "
                  "its outcome report, once it is reported."]
        status = 409 if not transition_allowed_in_state(proposal, "close") else 403
    facts, what = [], "The proposal closes."
    if award is not None and award.state == Award.State.ACTIVE:
        unpaid = [t for t in award.tranches.all() if t.state == Tranche.State.SCHEDULED]
        returns = sum((t.amount for t in unpaid), ZERO)
        if unpaid:
            facts = _confirm_facts(award, returns=returns)
            numbers = ", ".join(str(t.sequence) for t in unpaid)
            what = (f"The proposal closes and its award is completed. Tranche{'s' if len(unpaid) > 1 else ''} "
                    f"{numbers}, not released, {'are' if len(unpaid) > 1 else 'is'} cancelled: "
                    "the money returns to the fund. Released money stays released.")
        else:
            what = ("The proposal closes and its award is completed; all its money was paid, "
                    "so nothing returns to the fund.")
    return render(request, CONFIRM_TEMPLATE, {
        "award": award, "proposal": proposal,
        "question": f"Accept the outcome report of “{proposal.title}” and close it?",
        "facts": facts, "what": what, "button": "Yes, accept and close", "field": "note",
        "values": {"note": request.POST.get("note", "")} if request.method == "POST" else {},
        "errors": list(errors), "offered": offered, "action": request.path,
        "back": reverse("awards:outcome", args=[proposal.pk]),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def close_proposal(request, pk: int):
    """Accept the outcome report and close: a page says what happens to the money first."""
    proposal = _visible_proposal(request, pk)
    if request.method == "GET":
        return _confirm_close(request, proposal)
    try:
        proposal_close(proposal=proposal, actor=request.user, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied, TransitionStateConflict) as error:
        messages_, status = _refusal(error)
        return _confirm_close(request, _visible_proposal(request, pk), errors=messages_,
                              status=status)
    messages.success(request, gettext("Outcome accepted: the proposal is closed and its award completed."))
    return redirect("awards:outcome", proposal.pk)


# --- a fund's money ------------------------------------------------------------------------------
@login_required
def fund_money(request, pk: int):
    """Balance by contributing agency, committed, released and remaining; each award with its
    tranches."""
    fund = get_object_or_404(funds_with_balance(), pk=pk)
    if not can_view_fund(request.user, fund):
        raise Http404(gettext("No such fund."))
    totals = Tranche.objects.filter(award__proposal__round__fund=fund).exclude(
        award__state=Award.State.CANCELLED
    ).aggregate(released=_money_sum("amount", Q(state__in=RELEASED)))
    committed = fund.committed_sum or ZERO
    awards = (
        awards_visible_to(request.user).filter(proposal__round__fund=fund)
        .select_related("proposal", "proposal__round", "proposal__lead")
        .prefetch_related("tranches")
        .order_by("-approved_at", "-id")
    )
    return render(request, "awards/fund_money.html", {
        "fund": fund, "currency": fund.currency,
        "by_agency": list(fund_balance_by_agency(fund=fund)),
        "contributed": fund.contributed_sum or ZERO, "committed": committed,
        "returned": fund.returned_sum or ZERO,
        "released": totals["released"], "to_release": committed - totals["released"],
        "remaining": fund.available_balance,
        "page_obj": _page(request, awards), "query": _query_without_page(request),
    })

