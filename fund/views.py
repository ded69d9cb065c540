"""Pages for funds, contributions and rounds. Views parse input, call a service, show the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from workflow.ids import parse_id
from workflow.services import TransitionStateConflict, available_transitions

from . import selectors, services
from .forms import ContributionForm, FundForm, RoundForm, TransitionNoteForm, apply_service_errors
from .models import Fund, Round

PAGE_SIZE = 20


def _require_fund_manager(user) -> None:
    if not user.is_fund_manager:
        raise PermissionDenied(_("Only fund managers may do this."))


def _page(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- funds -------------------------------------------------------------------------------


@login_required
def fund_list(request):
    funds = selectors.funds_visible_to(request.user).order_by("-is_active", "name", "id")
    return render(request, "fund/fund_list.html", {"page_obj": _page(request, funds)})


def _visible_fund(request, pk: int) -> Fund:
    fund = get_object_or_404(selectors.funds_with_balance(), pk=pk)
    if not selectors.can_view_fund(request.user, fund):
        raise Http404(_("No such fund."))
    return fund


@login_required
def fund_detail(request, pk: int):
    fund = _visible_fund(request, pk)
    by_agency = list(selectors.fund_balance_by_agency(fund=fund))
    contributed = fund.contributed_sum
    for row in by_agency:
        row["share"] = (row["total"] / contributed * 100) if contributed else 0
    rounds = selectors.rounds_list(viewer=request.user, filters={"fund": fund.pk})
    context = {
        "fund": fund,
        "by_agency": by_agency,
        "page_obj": _page(request, selectors.fund_contributions(fund=fund)),
        "rounds": rounds[:10],
        "round_count": rounds.count(),
    }
    return render(request, "fund/fund_detail.html", context)


@login_required
def fund_create(request):
    _require_fund_manager(request.user)
    form = FundForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The fund “%(name)s” was created.") % {"name": fund.name})
            return redirect("fund:detail", pk=fund.pk)
    return render(request, "fund/fund_form.html", {"form": form, "fund": None})


@login_required
def fund_edit(request, pk: int):
    _require_fund_manager(request.user)
    fund = get_object_or_404(Fund, pk=pk)
    form = FundForm(request.POST or None, initial=FundForm.initial_for(fund))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["slug"] = fields["slug"] or fund.slug
        try:
            services.fund_update(actor=request.user, fund=fund, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The fund was saved."))
            return redirect("fund:detail", pk=fund.pk)
    return render(request, "fund/fund_form.html", {"form": form, "fund": fund})


@login_required
def contribution_create(request, pk: int):
    _require_fund_manager(request.user)
    fund = get_object_or_404(Fund, pk=pk)
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.contribution_create(
                actor=request.user, fund=fund, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("The contribution from %(agency)s was recorded.")
                % {"agency": contribution.agency.name}
            )
            return redirect("fund:detail", pk=fund.pk)
    return render(request, "fund/contribution_form.html", {"form": form, "fund": fund})


# --- rounds ------------------------------------------------------------------------------


@login_required
def round_list(request):
    filters = {
        "state": request.GET.get("state", ""),
        "fund": str(parse_id(request.GET.get("fund")) or ""),  # not an id: left out
    }
    if filters["state"] not in Round.State.values:
        filters["state"] = ""
    rounds = selectors.rounds_list(viewer=request.user, filters=filters)
    states = Round.State.choices
    if not request.user.is_fund_manager:
        states = [c for c in states if c[0] != Round.State.DRAFT]
    context = {
        "page_obj": _page(request, rounds),
        "filters": filters,
        "funds": selectors.funds_visible_to(request.user).only("pk", "name"),
        "states": states,
        "query": _query_without_page(request),
    }
    return render(request, "fund/round_list.html", context)


def _visible_round(request, pk: int) -> Round:
    round_ = get_object_or_404(selectors.rounds_list().select_related("fund"), pk=pk)
    if not selectors.can_view_round(request.user, round_):
        raise Http404(_("No such round."))
    return round_


def _round_detail_context(request, round_: Round, **extra) -> dict:
    actions = available_transitions(round_, request.user)
    forms = {name: TransitionNoteForm(prefix=name) for name in actions}
    forms.update({k: v for k, v in extra.pop("forms", {}).items() if k in forms})
    return {
        "round": round_,
        "criteria": list(round_.criteria.all()),
        "days_left": selectors.days_left(round_),
        "actions": [(name, forms[name]) for name in actions],
        "can_manage": request.user.is_fund_manager,
        **extra,
    }


@login_required
def round_detail(request, pk: int):
    round_ = _visible_round(request, pk)
    return render(request, "fund/round_detail.html", _round_detail_context(request, round_))


# What the fund manager reads once a round moves: what happened and who is told.
ROUND_DONE = {
    "open": gettext_lazy("You opened “%(title)s” for proposals. Every civil servant is told."),
    "close": gettext_lazy(
        "You closed “%(title)s” for proposals. Submitted proposals wait for screening."
    ),
    "archive": gettext_lazy("You archived “%(title)s”. It no longer changes."),
}


@login_required
@require_POST
def round_transition(request, pk: int, name: str):
    round_ = _visible_round(request, pk)
    service = services.ROUND_TRANSITIONS.get(name)
    if service is None:
        raise Http404(_("No such action."))
    form = TransitionNoteForm(request.POST, prefix=name)
    status = 400
    if form.is_valid():
        try:
            service(round_=round_, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except TransitionStateConflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        else:
            messages.success(request, ROUND_DONE[name] % {"title": round_.title})
            return redirect("fund:round_detail", pk=round_.pk)
    round_ = _visible_round(request, pk)  # the state on the page is the stored one
    refused = {"refused": name, "refused_form": form, "forms": {name: form}}
    context = _round_detail_context(request, round_, **refused)
    return render(request, "fund/round_detail.html", context, status=status)


@login_required
def round_create(request):
    _require_fund_manager(request.user)
    initial = {}
    if parse_id(request.GET.get("fund")):
        initial["fund"] = parse_id(request.GET.get("fund"))
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The round “%(title)s” was created as a draft with the default rubric.")
                % {"title": round_.title},
            )
            return redirect("fund:round_detail", pk=round_.pk)
    return render(request, "fund/round_form.html", {"form": form, "round": None})


@login_required
def round_edit(request, pk: int):
    _require_fund_manager(request.user)
    round_ = get_object_or_404(Round.objects.select_related("fund"), pk=pk)
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(round_), round_=round_)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["slug"] = fields["slug"] or round_.slug
        try:
            services.round_update(actor=request.user, round_=round_, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The round was saved."))
            return redirect("fund:round_detail", pk=round_.pk)
    return render(request, "fund/round_form.html", {"form": form, "round": round_})
