"""Pages for awards, tranches and outcome reports (issue 4).

Views parse input, call one service from `fund.services.awards` or
`proposals.services.outcomes`, and show the result; a refused action shows the
service's message on the page (400 bad input, 403 not allowed, 409 wrong state).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from proposals.models import OutcomeReport, Proposal
from proposals.permissions import can_view_proposal
from proposals.services.outcomes import proposal_close, proposal_report_outcome
from workflow.ids import parse_id
from workflow.services import TransitionStateConflict, available_transitions, may_run

from .models import MONEY, ZERO, Award, Round, Tranche
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
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


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
def _award_list_queryset(user):
    return (
        awards_visible_to(user)
        .select_related(
            "proposal", "proposal__lead", "proposal__lead__agency", "proposal__round",
            "proposal__round__fund",
        )
        .annotate(
            released_amount=_money_sum("tranches__amount", Q(tranches__state__in=RELEASED)),
            tranche_count=Count("tranches"),
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
        raise Http404("No such award.")
    return award


def _render_award(request, award: Award, *, failed: dict | None = None, status: int = 200):
    """The award page; `failed` = {"tranche": pk, "name": ..., "errors": {...}, "values": {...}}."""
    if failed and "errors" in failed:  # what is not shown next to a field goes at the top
        failed["general"] = [m for field, msgs in failed["errors"].items()
                             if field not in ("milestone_report", "reason") for m in msgs]
    tranches = list(award.tranches.all())
    rows = []
    for tranche in tranches:
        tranche.award = award  # the permission checks read the award's proposal and team
        names = [n for n in available_transitions(tranche, request.user) if n in TRANCHE_TRANSITIONS]
        mine = failed if failed and failed.get("tranche") == tranche.pk else None
        rows.append({"tranche": tranche, "actions": names, "failed": mine})
    released = sum((t.amount for t in tranches if t.state in RELEASED), ZERO)
    returned = sum((t.amount for t in tranches if t.state == Tranche.State.CANCELLED), ZERO)
    committed = ZERO if award.state == Award.State.CANCELLED else award.amount - returned
    award_actions = [n for n in available_transitions(award, request.user) if n in AWARD_TRANSITIONS]
    proposal = award.proposal
    return render(request, "awards/award_detail.html", {
        "award": award, "proposal": proposal, "currency": proposal.round.fund.currency,
        "rows": rows, "released": released, "returned": returned, "committed": committed,
        "to_release": committed - released,
        "award_actions": award_actions,
        "award_failed": failed if failed and failed.get("award") else None,
        "outcome": OutcomeReport.objects.filter(proposal=proposal).first(),
        "can_report_outcome": may_run(proposal, "report_outcome", request.user),
    }, status=status)


@login_required
def award_detail(request, pk: int):
    return _render_award(request, _visible_award(request, pk))


def _run_and_show(request, award, service, kwargs, failed: dict, done: str):
    try:
        service(**kwargs)
    except ValidationError as error:
        failed["errors"] = _messages_of(error)
        return _render_award(request, award, failed=failed, status=400)
    except PermissionDenied as error:
        failed["errors"] = {"non_field_errors": [str(error) or "You may not do this."]}
        return _render_award(request, award, failed=failed, status=403)
    except TransitionStateConflict as error:
        failed["errors"] = {"non_field_errors": [str(error)]}
        return _render_award(request, _visible_award(request, award.pk), failed=failed, status=409)
    messages.success(request, done)
    return redirect("awards:detail", award.pk)


@login_required
@require_POST
def tranche_transition(request, pk: int, name: str):
    tranche = get_object_or_404(Tranche, pk=pk)
    award = _visible_award(request, tranche.award_id)
    if name not in TRANCHE_TRANSITIONS:
        raise Http404("No such action.")
    values = {k: request.POST.get(k, "") for k in ("note", "milestone_report", "reason")}
    kwargs = {"tranche": tranche, "actor": request.user, "note": values["note"]}
    if name == "report_milestone":
        kwargs["milestone_report"] = values["milestone_report"]
    if name == "cancel":
        kwargs["reason"] = values["reason"]
    failed = {"tranche": tranche.pk, "name": name, "values": values}
    done = {
        "release": f"Tranche {tranche.sequence} released.",
        "report_milestone": f"Milestone of tranche {tranche.sequence} reported.",
        "cancel": f"Tranche {tranche.sequence} cancelled.",
    }[name]
    return _run_and_show(request, award, TRANCHE_TRANSITIONS[name], kwargs, failed, done)


@login_required
@require_POST
def award_transition(request, pk: int, name: str):
    award = _visible_award(request, pk)
    if name not in AWARD_TRANSITIONS:
        raise Http404("No such action.")
    values = {k: request.POST.get(k, "") for k in ("note", "reason")}
    kwargs = {"award": award, "actor": request.user, **values}
    failed = {"award": True, "name": name, "values": values}
    return _run_and_show(request, award, AWARD_TRANSITIONS[name], kwargs, failed,
                         "The award is cancelled; its amount is back in the fund.")


# --- funding decisions -------------------------------------------------------------------------
class FundForm(forms.Form):
    amount = forms.CharField(
        label="Award amount", max_length=20,
        help_text="At most the requested amount, the round's maximum award and what the round "
                  "and the fund have left.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    conditions = forms.CharField(
        label="Conditions", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed in the award letter. Leave empty for the fund's standard conditions.",
    )
    note = forms.CharField(label="Note for the history", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Why is the proposal declined?",
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="The applicant reads this, e.g. “the round's budget is "
                                       "exhausted”.")


def _decidable_proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "round__fund", "lead", "lead__agency")
        .prefetch_related("team"),
        pk=pk,
    )
    if not can_view_proposal(request.user, proposal):
        raise Http404("No such proposal.")
    if not request.user.is_fund_manager:
        raise PermissionDenied("Only fund managers fund or decline proposals.")
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
                messages.success(request, f"“{proposal.title}” is funded.")
                return redirect("awards:detail", award.pk)
            status, tranche_errors = refused, rest.get("tranches", [])
        else:
            status = 400
    else:
        form = FundForm(initial={"amount": proposal.requested_amount})
        rows = _tranche_rows(request, count)
    return render(request, "awards/fund_form.html", {
        "proposal": proposal, "form": form, "rows": rows, "row_count": count,
        "tranche_errors": tranche_errors, "currency": proposal.round.fund.currency,
        "can_fund": may_run(proposal, "fund", request.user),
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
                messages.success(request, f"“{proposal.title}” is declined.")
                return redirect("awards:outcome", proposal.pk)
            status = refused
        else:
            status = 400
    else:
        form = DeclineForm()
    return render(request, "awards/decline_form.html", {
        "proposal": proposal, "form": form,
        "can_decline": may_run(proposal, "decline", request.user),
    }, status=status)


# --- outcome ------------------------------------------------------------------------------------
class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        label="How did the experiment go?", choices=OutcomeReport.Result.choices,
        widget=forms.RadioSelect,
        help_text="Every result is honoured: an experiment that did not work as hoped teaches "
                  "as much as one that did, and never lowers anyone's record.",
    )
    summary = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 5}))
    indicators = forms.CharField(
        label="Indicators against the success criteria", widget=forms.Textarea(attrs={"rows": 4}))
    amount_spent = forms.CharField(label="Amount spent", max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    citizen_feedback = forms.CharField(label="What citizens told you",
                                       widget=forms.Textarea(attrs={"rows": 4}))
    next_step = forms.ChoiceField(label="Next step", choices=OutcomeReport.NextStep.choices,
                                  widget=forms.RadioSelect)
    note = forms.CharField(label="Note for the history", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _visible_proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "round__fund", "lead").prefetch_related("team"),
        pk=pk,
    )
    if not can_view_proposal(request.user, proposal):
        raise Http404("No such proposal.")
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
                messages.success(request, "Thank you: the outcome is reported.")
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


@login_required
@require_POST
def close_proposal(request, pk: int):
    proposal = _visible_proposal(request, pk)
    try:
        proposal_close(proposal=proposal, actor=request.user, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied, TransitionStateConflict) as error:
        text = " ".join(
            m for msgs in _messages_of(error).values() for m in msgs
        ) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or "You may not do this.")
    else:
        messages.success(request, "Outcome accepted: the proposal is closed and its award completed.")
    return redirect("awards:outcome", proposal.pk)


# --- a fund's money ------------------------------------------------------------------------------
@login_required
def fund_money(request, pk: int):
    """Balance by contributing agency, committed, released and remaining; each award with its
    tranches."""
    fund = get_object_or_404(funds_with_balance(), pk=pk)
    if not can_view_fund(request.user, fund):
        raise Http404("No such fund.")
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

