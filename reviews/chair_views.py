"""Pages for a panel's chairs: editing a panel (chair, deputy chair, members) and naming a
stand-in chair for one proposal (reviews.chairs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from proposals.conflicts import has_conflict
from proposals.models import Proposal

from . import services
from .chairs import PANEL_STATES, proposal_panel, stall_of, who_acts_instead
from .forms import PanelForm, StandInForm, add_service_errors
from .models import Panel
from .permissions import can_set_up_panel
from .views import member_groups


def _panel_for_fund_manager(request, pk: int) -> Panel:
    panel = get_object_or_404(
        Panel.objects.select_related("round", "chair__agency", "deputy_chair__agency"), pk=pk)
    if not can_set_up_panel(request.user):
        raise PermissionDenied(gettext("Only fund managers change review panels."))
    return panel


@login_required
@require_http_methods(["GET", "POST"])
def panel_edit(request, pk: int):
    """A fund manager changes the panel's name, chair, deputy chair and members."""
    panel = _panel_for_fund_manager(request, pk)
    initial = {"name": panel.name, "chair": panel.chair, "deputy_chair": panel.deputy_chair,
               "members": list(panel.members.all())}
    form = PanelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.panel_update(actor=request.user, panel=panel, name=data["name"],
                                  chair=data["chair"], members=data["members"],
                                  deputy_chair=data.get("deputy_chair"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The panel “%(panel)s” is saved.") % {
                "panel": panel.name})
            return redirect("reviews:panel", pk=panel.pk)
    return render(request, "reviews/panel_form.html", {
        "round": panel.round, "form": form, "panel": panel,
        "member_groups": member_groups(form, panel.round),
    })


@login_required
@require_http_methods(["GET", "POST"])
def stand_in_new(request, pk: int, proposal_pk: int):
    """A fund manager without conflict names a stand-in chair for one proposal."""
    panel = _panel_for_fund_manager(request, pk)
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "lead__agency").prefetch_related(
            "team", "partner_agencies"), pk=proposal_pk)
    if has_conflict(request.user, proposal) or proposal_panel(proposal) != panel:
        raise Http404(gettext("No such proposal on this panel."))
    stall = stall_of(proposal)
    # Offered only while the proposal needs one (the rule behind the fund managers' list of
    # stalled proposals, reviews.chairs.stall_of): otherwise the page says who acts.
    needed = (proposal.state in PANEL_STATES and stall is not None and stall.needs_stand_in)
    candidates = [m for m in panel.members.select_related("agency")
                  if not services.chair_duty_problem(m, panel.round, "stand-in chair")
                  and not has_conflict(m, proposal)] if needed else []
    form = StandInForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and needed and form.is_valid():
        try:
            services.panel_stand_in_name(actor=request.user, panel=panel, proposal=proposal,
                                         chair=form.cleaned_data["chair"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("%(person)s now acts as chair for “%(title)s”.") % {
                "person": form.cleaned_data["chair"], "title": proposal.title})
            return redirect("dashboard")
    return render(request, "reviews/stand_in_form.html", {
        "panel": panel, "proposal": proposal, "form": form, "stall": stall,
        "candidates": candidates, "needed": needed,
        "who_acts": "" if needed or proposal.state not in PANEL_STATES
        else who_acts_instead(proposal),
    })
