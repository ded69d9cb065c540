"""The proposal pages: each view parses input, calls one service and shows the result.

Who may see a proposal is `can_view_proposal` (a 404 otherwise: nobody learns that a
proposal they may not see exists); who may change it is the services' business. A
refused action is shown on the page with the service's words, never a 500.
"""

import re
from decimal import Decimal
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fund.models import Round, Tranche
from fund.selectors import rounds_visible_to
from people.models import Agency
from workflow.ids import parse_id
from workflow.pages import page_of
from workflow.services import (
    TransitionStateConflict,
    UnknownTransition,
    condition_errors,
    may_run,
)
from workflow.widgets import QuickSelect

from . import rules
from .forms import (
    ACTIONS,
    AttachmentForm,
    BudgetFormSet,
    ProposalForm,
    TeamFormSet,
    budget_entries,
    budget_initial,
    team_entries,
    team_initial,
)
from .history import history_for
from .lifecycle import PROPOSAL_TRANSITIONS
from .models import Attachment, Proposal, TeamMember
from .people_search import SEARCH_LIMIT, search_results
from .permissions import (
    HR_OFFICERS_DO_NOT_DRAFT,
    can_draft_proposals,
    can_edit_proposal,
    can_view_proposal,
)
from .selectors import (
    proposal_detail_queryset,
    submitted_proposals_visible_to,
    team_as_seen_by,
)
from .services import (
    attachment_add,
    attachment_delete,
    proposal_create,
    proposal_update,
)
from .services.drafting import ALLOWED_UPLOADS

PAGE_SIZE = 20
# The transitions whose forms live with the money (fund.award_views), linked from the page.
MONEY_STEPS = ("fund", "decline", "report_outcome", "close")
RELEASED = (Tranche.State.RELEASED, Tranche.State.REPORTED)
SAFE_DOWNLOAD_TYPES = {content_type for content_type, _ in ALLOWED_UPLOADS.values()}

# The states in which the applicants may read the reviewers' comments to them: the panel has
# decided or asked for a revision (reviews.permissions.DECIDED_STATES, which proposals may not
# import; tests/proposals/test_applicant_journey.py holds the two equal).
FEEDBACK_STATES = (
    Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED, Proposal.State.REJECTED,
    Proposal.State.FUNDED, Proposal.State.DECLINED, Proposal.State.OUTCOME_REPORTED,
    Proposal.State.CLOSED,
)

# Where a service's error about a part of the proposal is shown, when it is not a form field.
PART_LABELS = {
    "budget_lines": "Budget",
    "team": "Team",
    "round": "Round",
    "non_field_errors": "",
    "__all__": "",
}


# --- lists ------------------------------------------------------------------------------


class _RoundFilterForm(forms.Form):
    """A list's filters; the rounds offered (and accepted) are those the user may see, so a
    draft round's id is "not a valid choice" like an id that does not exist."""

    round = forms.ModelChoiceField(
        queryset=Round.objects.none(), required=False, empty_label=gettext_lazy("All rounds"),
        label=gettext_lazy("Round"), widget=QuickSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds_visible_to(user).order_by("-opens_at")


class MineFilter(_RoundFilterForm):
    state = forms.ChoiceField(
        choices=[("", gettext_lazy("All states")), *Proposal.State.choices], required=False,
        label=gettext_lazy("State"), widget=QuickSelect,
    )
    field_order = ["state", "round"]


class QueueFilter(_RoundFilterForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name", "id"), required=False, empty_label=gettext_lazy("All agencies"),
        label=gettext_lazy("Agency"), widget=QuickSelect,
    )


def _filters(form: forms.Form) -> dict:
    form.is_valid()  # a bad value is reported next to its filter and ignored
    return {k: getattr(v, "pk", v) for k, v in form.cleaned_data.items() if v}


@login_required
def mine(request):
    """My proposals: those I lead and those I am on the team of."""
    filter_form = MineFilter(request.GET or None, user=request.user)
    chosen = _filters(filter_form) if request.GET else {}
    # The rule of `my_proposals` (led, or joined and accepted) as a UNION of two indexed id
    # lists: the page reads the person's own rows, not the whole table in date order (issue 16).
    led = Proposal.objects.filter(lead=request.user).order_by().values("pk")
    joined = TeamMember.objects.accepted().filter(user=request.user).order_by().values(
        "proposal_id")
    proposals = Proposal.objects.filter(pk__in=led.union(joined)).select_related(
        "round", "lead", "round__fund")
    if chosen.get("state"):
        proposals = proposals.filter(state=chosen["state"])
    if chosen.get("round"):
        proposals = proposals.filter(round_id=chosen["round"])
    page = page_of(request, proposals, PAGE_SIZE)
    return render(request, "proposals/mine.html", {
        "filter_form": filter_form, "page": page, "filtered": bool(chosen),
        "may_draft": can_draft_proposals(request.user),
    })


# What a row of the screening queue prints and its actions read (proposals/queue.html,
# `_action_items`, `{% screening_note %}`): never the proposal's long texts.
QUEUE_ROW_FIELDS = (
    "id", "title", "state", "requested_amount", "submitted_at", "panel_id",
    "round__title", "round__fund__currency", "lead__username", "lead__first_name",
    "lead__last_name", "lead__agency__code", "lead__agency__name",
)


def _to_screen(user, chosen: dict):
    """The submitted proposals `user` may see, filtered by round and agency (lead or partner)
    as `chosen` says: ids and the filtered columns only, what the bounded count reads."""
    proposals = submitted_proposals_visible_to(user).filter(state=Proposal.State.SUBMITTED)
    if chosen.get("round"):
        proposals = proposals.filter(round_id=chosen["round"])
    if chosen.get("agency"):
        partnered = Proposal.partner_agencies.through.objects.filter(agency_id=chosen["agency"])
        proposals = proposals.filter(Q(lead__agency_id=chosen["agency"])
                                     | Q(pk__in=partnered.values("proposal_id")))
    return proposals


@login_required
def queue(request):
    """The fund manager's queue: submitted proposals to screen, oldest first.

    At national scale (issue 16) the page reads its 20 rows from the (state, submitted_at,
    id) index with the columns it prints, and its bounded count reads ids alone."""
    if not request.user.is_fund_manager:
        raise PermissionDenied(_("Only fund managers screen proposals."))
    filter_form = QueueFilter(request.GET or None, user=request.user)
    chosen = _filters(filter_form) if request.GET else {}
    proposals = (
        _to_screen(request.user, chosen)
        .select_related("round__fund", "lead__agency")
        .only(*QUEUE_ROW_FIELDS)
        .prefetch_related("team", "round__panels",
                          Prefetch("partner_agencies", queryset=Agency.objects.only("code", "name")))
        .order_by("submitted_at", "id")
    )
    page = page_of(request, proposals, PAGE_SIZE, count_queryset=_to_screen(request.user, chosen))
    here = request.get_full_path()
    rows = [
        {"proposal": p, "actions": _action_items(p, request.user)} for p in page.object_list
    ]
    return render(request, "proposals/queue.html", {
        "filter_form": filter_form, "page": page, "rows": rows, "next": here,
        "filtered": bool(chosen),
    })


# --- the guided form --------------------------------------------------------------------


def _place_errors(exc: ValidationError, form: ProposalForm) -> dict[str, list[str]]:
    """Put a service's messages next to the fields they concern; return the parts' messages."""
    parts: dict[str, list[str]] = {"team": [], "budget_lines": []}
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, found in items:
        if field in parts:
            parts[field].extend(found)
        elif field in form.fields:
            form.add_error(field, found)
        else:
            form.add_error(None, found)
    return parts


def _budget_total(budget) -> Decimal:
    """The total shown under the budget lines before any script runs."""
    total = Decimal("0.00")
    for row in budget.forms:
        if budget.is_bound:
            data = getattr(row, "cleaned_data", None) or {}
            amount = None if data.get("DELETE") else data.get("amount")
        else:
            amount = row.initial.get("amount")
        total += amount or 0
    return total


# The form's sections, in order: (id, heading, the form's fields in it). Team and budget rows
# and attachments belong to their sections too (see _sections).
SECTIONS = (
    ("about", gettext_lazy("About the idea"), ("round", "title", "summary", "problem", "hypothesis",
                                 "success_criteria")),
    ("plan", gettext_lazy("Plan"), ("approach", "citizen_engagement", "expected_outcomes", "duration_months")),
    ("people", gettext_lazy("Team and partners"), ("partner_agencies",)),
    ("budget", gettext_lazy("Budget"), ("requested_amount",)),
    ("attachments", gettext_lazy("Attachments"), ()),
)


def _filled(form: ProposalForm, name: str) -> bool:
    if form.is_bound:
        values = form.data.getlist(name) if hasattr(form.data, "getlist") else [form.data.get(name)]
        return any(str(v or "").strip() for v in values)
    value = form.initial.get(name)
    return bool(value) if not isinstance(value, str) else bool(value.strip())


def _row_links(formset, rows: str, each_row: str, section: str) -> list[dict]:
    """Each error of a formset's rows, linked to its field ("Budget line 2, Amount (BTN)")."""
    if formset is None or not formset.is_bound:
        return []
    links = [{"anchor": f"section-{section}", "label": rows, "text": text}
             for text in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        for name, found in row.errors.items():
            field = row[name] if name in row.fields else next(iter(row))
            label = each_row % {"number": number} + (f", {field.label}" if name in row.fields
                                                      else "")
            links.extend({"anchor": field.auto_id, "label": label, "text": text}
                         for text in found)
    return links


def _sections(form, team, budget, parts, proposal) -> list[dict]:
    """The progress list at the top of the form: each section, whether it needs attention (how
    many messages) or is done (every answer it needs to be submitted is there)."""
    required = set(Proposal.REQUIRED_FIELDS)
    rows = []
    for number, (key, heading, names) in enumerate(SECTIONS, start=1):
        errors = sum(len(form.errors.get(n, [])) for n in names)
        done = all(_filled(form, n) for n in names
                   if n in form.fields and (n in required or n == "round"))
        if key == "people":
            errors += len(parts["team"]) + (
                team.total_error_count() if team is not None and team.is_bound else 0)
            done = _filled(form, "partner_agencies")
        elif key == "budget":
            errors += len(parts["budget_lines"]) + (
                budget.total_error_count() if budget.is_bound else 0)
            done = done and _budget_total(budget) > 0
        elif key == "attachments":
            done = bool(proposal and proposal.attachments.exists())
        rows.append({"key": key, "heading": heading, "number": number, "errors": errors,
                     "done": done and not errors})
    for row in rows:
        row["of"] = len(rows)
    return rows


def _error_links(team, budget, parts) -> list[dict]:
    links = (_row_links(team, _("Team members"), _("Team member %(number)d"), "people")
             + _row_links(budget, _("Budget lines"), _("Budget line %(number)d"), "budget"))
    links += [{"anchor": "team-errors", "label": _("Team"), "text": t} for t in parts["team"]]
    links += [{"anchor": "budget-errors", "label": _("Budget"), "text": t}
              for t in parts["budget_lines"]]
    return links


def _proposal_form(request, proposal: Proposal | None):
    creating = proposal is None
    # Only the lead invites and removes team members: anyone else sees the team, not a form.
    writes_team = creating or proposal.lead_id == request.user.pk
    parts: dict[str, list[str]] = {"team": [], "budget_lines": []}
    # What was typed before a sign-in that the session's end asked for: shown, not yet saved.
    kept = _take_kept(request) if request.method == "GET" else None
    if request.method == "POST" or kept is not None:
        data = request.POST if kept is None else kept
        form = ProposalForm(data, with_round=creating, user=request.user)
        team = TeamFormSet(data, prefix="team") if writes_team else None
        budget = BudgetFormSet(data, prefix="budget")
        valid = [form.is_valid(), team is None or team.is_valid(), budget.is_valid()]
        if kept is not None:
            messages.success(request, KEPT_MESSAGE)
        elif all(valid):
            parts_given = {
                "partner_agencies": form.cleaned_data["partner_agencies"],
                "team": team_entries(team) if team is not None else None,
                "budget_lines": budget_entries(budget),
                **form.content(),
            }
            try:
                with transaction.atomic():
                    if creating:
                        proposal = proposal_create(
                            actor=request.user, round_=form.cleaned_data["round"], **parts_given
                        )
                    elif _changed_elsewhere(request, proposal):
                        raise ValidationError(CHANGED_ELSEWHERE)
                    else:
                        proposal = proposal_update(actor=request.user, proposal=proposal,
                                                   **parts_given)
            except ValidationError as exc:
                parts = _place_errors(exc, form)
            else:
                messages.success(request, _("Your draft “%(title)s” is saved.") % {"title": proposal.title})
                return redirect("proposals:detail", pk=proposal.pk)
        status = 400 if kept is None else 200
    else:
        status = 200
        if creating:
            form = ProposalForm(with_round=True, user=request.user,
                                initial={"round": request.GET.get("round")})
            if request.GET.get("round") and not form.fields["round"].queryset.filter(
                pk=parse_id(request.GET["round"]) or 0
            ).exists():
                form.initial.pop("round")
            team = TeamFormSet(prefix="team")
            budget = BudgetFormSet(prefix="budget")
        else:
            form = ProposalForm(initial=ProposalForm.initial_for(proposal))
            team = (TeamFormSet(prefix="team", initial=team_initial(proposal))
                    if writes_team else None)
            budget = BudgetFormSet(prefix="budget", initial=budget_initial(proposal))
    round_ = proposal.round if proposal else None
    return render(request, "proposals/form.html", {
        "form": form, "team_formset": team, "budget_formset": budget,
        "team_errors": parts["team"], "budget_errors": parts["budget_lines"],
        "proposal": proposal, "round": round_, "creating": creating,
        "team_as_it_stands": [] if writes_team else team_as_seen_by(proposal, request.user),
        # A refused form is shown again even if the round has just closed: nothing typed is lost.
        "has_open_rounds": not creating or form.is_bound or form.fields["round"].queryset.exists(),
        "budget_total": _budget_total(budget),
        "kept": kept is not None,
        "sections": _sections(form, team, budget, parts, proposal),
        "error_links": _error_links(team, budget, parts) if form.is_bound else [],
        # Autosave: only a draft this user may edit (the page is only shown to them).
        "autosave_url": reverse("proposals:autosave", args=[proposal.pk]) if proposal else "",
        # The version of the draft this page shows: saving refuses to replace a newer one.
        "version": _version(proposal) if proposal else "",
    }, status=status)


# --- work never lost ---------------------------------------------------------------------------

CHANGED_ELSEWHERE = gettext_lazy(
    "This draft was changed elsewhere since you opened it; reload to see the "
    "newest version (copy your text first).")
VERSION = "version"


def _version(proposal: Proposal) -> str:
    """When the draft was last changed: the page carries it, saving sends it back."""
    return proposal.updated_at.isoformat() if proposal.updated_at else ""


def _changed_elsewhere(request, proposal: Proposal) -> bool:
    """Whether the draft changed (another tab, another editor) since the page sending this was
    opened; inside a transaction, the row is held until the save. A form without the version
    (an older page) is not checked."""
    seen = request.POST.get(VERSION)
    if not seen:
        return False
    current = Proposal.objects.select_for_update().only("updated_at").get(pk=proposal.pk)
    return _version(current) != seen

KEPT = "proposals.kept_form"
KEPT_MESSAGE = gettext_lazy(
    "We kept what you typed before you were signed out. Check it, then press "
    "“Save draft”: it is not saved yet.")
SIGNED_OUT_MESSAGE = gettext_lazy(
    "You were signed out, so your changes are not saved yet. Sign in again: "
    "what you typed is kept and comes back on the form.")
# Whose forms this browser shows: a signed cookie naming the person signed in when a form page
# was last opened or saved. A form sent after the session ended is kept only for that person,
# and shown again only to them: never to someone else who signs in on the same browser.
WHO = "proposals_who"
WHO_SALT = "proposals.kept_form.owner"
WHO_MAX_AGE = 14 * 24 * 3600
# No more is kept than a long proposal needs (an anonymous visitor must not fill the session
# table): only the form's own answers, and nothing above this size.
KEPT_MAX_BYTES = 100 * 1024
NOT_KEPT_MESSAGE = gettext_lazy(
    "You were signed out, so your changes are not saved. Sign in again to carry on.")
_ROW = re.compile(r"^(team|budget)-(\d{1,3})-([a-z_A-Z]+)$")
_ROW_FIELDS = {
    "team": (set(TeamFormSet.form.base_fields) | {"DELETE"}, TeamFormSet.max_num),
    "budget": (set(BudgetFormSet.form.base_fields) | {"DELETE"}, BudgetFormSet.max_num),
}
_MANAGEMENT = {f"{prefix}-{name}" for prefix in _ROW_FIELDS
               for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")}


def _form_field(name: str) -> bool:
    """Whether a sent name is one of the proposal form's own (its fields, its rows')."""
    if name in ProposalForm.base_fields or name in _MANAGEMENT:
        return True
    row = _ROW.match(name)
    if not row:
        return False
    fields, most = _ROW_FIELDS[row.group(1)]
    return int(row.group(2)) < most and row.group(3) in fields


def _owner(request) -> int | None:
    """The person this browser last opened or saved a proposal form for (signed cookie)."""
    value = request.get_signed_cookie(WHO, default=None, salt=WHO_SALT, max_age=WHO_MAX_AGE)
    return parse_id(value) if value else None


def _keepable(post) -> dict[str, list[str]] | None:
    data = {k: post.getlist(k) for k in post if _form_field(k)}
    size = sum(len(k) + sum(len(v) for v in values) for k, values in data.items())
    return data if data and size <= KEPT_MAX_BYTES else None


def keeps_what_was_typed(view):
    """Before login_required: a form sent after the session ended is kept in this browser's
    session and comes back on the form after the same person signs in again (login keeps the
    session's data when it starts a new one). Nothing is saved until the person saves it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and not request.user.is_authenticated:
            form_path = request.path
            if request.resolver_match and request.resolver_match.url_name == "autosave":
                form_path = reverse("proposals:edit", args=[kwargs["pk"]])
            owner, data = _owner(request), _keepable(request.POST)
            if owner and data:
                request.session[KEPT] = {"path": form_path, "owner": owner, "data": data}
                messages.info(request, SIGNED_OUT_MESSAGE)
            else:
                request.session.pop(KEPT, None)
                messages.info(request, NOT_KEPT_MESSAGE)
            return redirect_to_login(form_path)
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            response.set_signed_cookie(
                WHO, str(request.user.pk), salt=WHO_SALT, max_age=WHO_MAX_AGE, httponly=True,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    return wrapped


def _take_kept(request) -> QueryDict | None:
    """The form kept for this page and this person, once (it leaves the session as it is
    shown). A form someone else typed is dropped unseen."""
    kept = request.session.get(KEPT)
    if not kept:
        return None
    if kept.get("owner") != request.user.pk:
        del request.session[KEPT]
        return None
    if kept.get("path") != request.path:
        return None
    del request.session[KEPT]
    data = QueryDict(mutable=True)
    for key, values in (kept.get("data") or {}).items():
        data.setlist(key, [str(v) for v in values])
    return data


@keeps_what_was_typed
@login_required
@require_POST
def autosave(request, pk: int):
    """The form's script saves the draft every little while: the same service as "Save draft",
    but the team is left as it is (an invitation goes out only when the lead saves). A form
    that cannot be saved yet is answered with why, and nothing is saved."""
    proposal = _visible_or_404(request.user, pk)
    if not can_draft_proposals(request.user):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)
    if not can_edit_proposal(request.user, proposal):
        if rules.is_lead_or_team(proposal, request.user):
            return JsonResponse({"saved": False, "message": (
                _("Not saved: this proposal is %(state)s and can no longer be edited.")
                % {"state": proposal.get_state_display().lower()})}, status=409)
        raise PermissionDenied(_("Only the lead and team may edit this proposal."))
    form = ProposalForm(request.POST)
    budget = (BudgetFormSet(request.POST, prefix="budget")
              if "budget-TOTAL_FORMS" in request.POST else None)
    valid = [form.is_valid(), budget is None or budget.is_valid()]
    problems = len(form.errors) + (budget.total_error_count() if budget is not None else 0)
    if all(valid):
        try:
            with transaction.atomic():
                if _changed_elsewhere(request, proposal):
                    return JsonResponse({"saved": False, "message": str(CHANGED_ELSEWHERE)},
                                        status=409)
                proposal = proposal_update(
                    actor=request.user, proposal=proposal,
                    partner_agencies=form.cleaned_data["partner_agencies"], team=None,
                    budget_lines=budget_entries(budget) if budget is not None else None,
                    **form.content(),
                )
        except ValidationError as exc:
            problems = len(exc.messages)
        else:
            at = timezone.localtime().strftime("%H:%M")
            return JsonResponse({"saved": True, "at": at, "message": _("Draft saved at %(at)s.") % {"at": at},
                                 "version": _version(proposal)})
    return JsonResponse({"saved": False, "message": (
        _("Not saved automatically: %(problems)s. Press “Save draft” to see where.")
        % {"problems": _answers_need_attention(problems)})}, status=400)


def _answers_need_attention(count: int) -> str:
    return ngettext("%(count)d answer needs attention", "%(count)d answers need attention",
                    count) % {"count": count}


@keeps_what_was_typed
@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    """Any civil servant drafts a proposal in an open round and leads it (not an HR officer)."""
    if not can_draft_proposals(request.user):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)
    return _proposal_form(request, None)


@keeps_what_was_typed
@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """The lead and team edit a draft, or a proposal whose revision was requested."""
    proposal = _visible_or_404(request.user, pk)
    if not can_draft_proposals(request.user):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)
    if not can_edit_proposal(request.user, proposal):
        if rules.is_lead_or_team(proposal, request.user):
            messages.error(
                request,
                _("This proposal is %(state)s and can no longer be edited.")
                % {"state": proposal.get_state_display().lower()},
            )
            return redirect("proposals:detail", pk=proposal.pk)
        raise PermissionDenied(_("Only the lead and team may edit this proposal."))
    return _proposal_form(request, proposal)


# --- finding colleagues by name and agency --------------------------------------------------


@login_required
@require_http_methods(["GET"])
def people_search(request):
    """The person pickers' search: active people whose name or agency matches `q`, at most
    SEARCH_LIMIT, each as a name and an agency and nothing more. For those who draft proposals;
    the form itself takes a name, an employee ID or a part of a name without this script."""
    if not can_draft_proposals(request.user):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)
    results = search_results(request.GET.get("q", ""))
    response = JsonResponse({"results": results, "limit": SEARCH_LIMIT})
    response["Cache-Control"] = "private, no-store"
    return response


# --- the proposal's page and its actions ------------------------------------------------------


def _visible_or_404(user, pk: int) -> Proposal:
    # The award, its tranches and the outcome report are shown on the page: fetched here, at
    # a fixed number of queries (a proposal without an award or report just joins to nothing).
    queryset = proposal_detail_queryset().select_related(
        "award", "award__approved_by", "outcome_report", "outcome_report__submitted_by",
    ).prefetch_related("award__tranches")
    proposal = get_object_or_404(queryset, pk=pk)
    if not can_view_proposal(user, proposal):
        raise Http404(_("No such proposal."))
    return proposal


def _action_items(proposal: Proposal, user, *, failed: str = "", typed: str = "",
                  errors: dict | None = None) -> list[dict]:
    """The buttons `user` may press on `proposal` now; the failed one keeps what was typed."""
    items = []
    for name, action in ACTIONS.items():
        # `may_run` for the offered actions alone (what `available_transitions` asks of every
        # transition of the proposal: a queue of 20 rows asked 300; issue 16).
        if name not in PROPOSAL_TRANSITIONS or not may_run(proposal, name, user):
            continue
        field_errors = (errors or {}).get(action.field, []) if name == failed else []
        item = {
            "name": name, "action": action, "open": name == failed,
            "value": typed if name == failed else "", "errors": field_errors,
            "input_id": f"id_{proposal.pk}_{name}_{action.field}",
        }
        if name == "send_to_review":
            # A round with several panels: the fund manager chooses which one reviews it.
            panels = sorted(proposal.round.panels.all(), key=lambda p: (p.name, p.pk))
            if len(panels) > 1:
                item["panels"] = panels
                item["panel_errors"] = (errors or {}).get("panel", []) if name == failed else []
        items.append(item)
    return items


def _labelled(errors: dict[str, list[str]], *, skip: str | None = None) -> list[dict]:
    """A service's {field: [messages]} as a list a page can show, with readable field names."""
    labels = {name: str(f.label) for name, f in ProposalForm(with_round=False).fields.items()}
    labels.update(PART_LABELS)
    return [
        {"field": name, "label": labels.get(name, name.replace("_", " ").capitalize()), "text": text}
        for name, found in errors.items() if name != skip
        for text in found
    ]


def _feedback_for_applicant(proposal: Proposal, on_proposal: bool) -> bool:
    """Is there a comment from the reviewers that the lead or team may read now? (Through the
    relations reviews names on the proposal: `assignments`, each with its `review`.)"""
    if not on_proposal or proposal.state not in FEEDBACK_STATES:
        return False
    return proposal.assignments.filter(state="submitted", review__isnull=False).exclude(
        review__comment_to_applicant=""
    ).exists()


def _revision_request(proposal: Proposal, user, on_proposal: bool):
    """The panel's latest request for a revision, as the applicant may read it (no names)."""
    if not on_proposal or proposal.state != Proposal.State.REVISION_REQUESTED:
        return None
    asked = [e for e in history_for(user, proposal) if e.transition == "request_revision"]
    return asked[-1] if asked else None


def _detail(request, proposal: Proposal, *, status: int = 200, failed: str = "",
            typed: str = "", errors: dict | None = None, upload_form=None):
    user = request.user
    actions = _action_items(proposal, user, failed=failed, typed=typed, errors=errors)
    failed_action = ACTIONS.get(failed)
    ready = {}
    if any(a["name"] == "submit" for a in actions):
        # The service's own condition check: a proposal that does not meet it is not offered
        # a button that would be refused (the reasons are listed; the button is disabled).
        ready = condition_errors(proposal, "submit")
        for item in actions:
            if item["name"] == "submit" and ready:
                item["blocked"] = "action-errors" if failed == "submit" else "not-ready"
        if failed == "submit":
            ready = {}
    can_edit = can_edit_proposal(user, proposal)
    award = getattr(proposal, "award", None)  # None when not funded
    tranches = list(award.tranches.all()) if award else []
    on_proposal = rules.is_lead_or_team(proposal, user)
    return render(request, "proposals/detail.html", {
        # A released tranche waits for its milestone report from the lead or team.
        "milestones_due": (
            [t for t in tranches if t.state == Tranche.State.RELEASED] if on_proposal else []
        ),
        "award": award,
        "tranches": tranches,
        "released": sum((t.amount for t in tranches if t.state in RELEASED), Decimal("0.00")),
        "outcome": getattr(proposal, "outcome_report", None),
        # Funding decisions and outcomes have their own forms under /awards/ (fund.award_views).
        "may": {name: may_run(proposal, name, user) for name in MONEY_STEPS},
        "on_proposal": on_proposal,
        "proposal": proposal,
        "team": (team_rows := team_as_seen_by(proposal, user)),
        # An open invitation of the viewer's: answered at the top of the page.
        "invitation": next((row for row in team_rows if row["member"].user_id == user.pk
                            and row["member"].state == row["member"].State.INVITED), None),
        "partners": list(proposal.partner_agencies.all()),
        "budget_lines": list(proposal.budget_lines.all()),
        "attachments": list(proposal.attachments.all()),
        "actions": actions,
        "action_errors": _labelled(errors or {}, skip=failed_action.field if failed_action else None),
        "failed_label": failed_action.label if failed_action else "",
        "not_ready": _labelled(ready),
        "can_edit": can_edit,
        "upload_form": upload_form or (AttachmentForm() if can_edit else None),
        "is_lead": proposal.lead_id == user.pk,
        "reviewers_said": _feedback_for_applicant(proposal, on_proposal),
        "revision_request": _revision_request(proposal, user, on_proposal),
    }, status=status)


@login_required
def detail(request, pk: int):
    return _detail(request, _visible_or_404(request.user, pk))


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# What the person who acted reads once it is done, in words (never “Done: submit”).
TRANSITION_DONE = {
    "submit": gettext_lazy("You submitted “%(title)s”. The fund managers will screen it; you "
                           "will hear when it moves on."),
    "send_to_review": gettext_lazy("You sent “%(title)s” to review. The chairs of the round's "
                                   "panels are told."),
    "screen_out": gettext_lazy("You screened out “%(title)s”. Its team is told, with your "
                               "reason."),
    "request_revision": gettext_lazy("You asked the team of “%(title)s” for a revision. They are "
                                     "told what to revise."),
    "withdraw": gettext_lazy("You withdrew “%(title)s”."),
}


@login_required
@require_POST
def transition(request, pk: int, name: str):
    """Run a transition by name with the note, reason or message typed in its short form."""
    proposal = _visible_or_404(request.user, pk)
    action, service = ACTIONS.get(name), PROPOSAL_TRANSITIONS.get(name)
    if action is None or service is None:
        raise Http404(_("No such action."))
    typed = request.POST.get(action.field, "") if action.field else ""
    kwargs = {"note": request.POST.get("note", "")}
    if action.field:
        kwargs[action.field] = typed
    if name == "send_to_review" and request.POST.get("panel"):
        kwargs["panel"] = request.POST["panel"]
    try:
        service(proposal=proposal, actor=request.user, **kwargs)
    except UnknownTransition as exc:
        raise Http404(_("No such action.")) from exc
    except TransitionStateConflict as exc:
        messages.error(request, str(exc))
        return _detail(request, _visible_or_404(request.user, pk), status=409)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {
            "non_field_errors": exc.messages
        }
        return _detail(request, _visible_or_404(request.user, pk), status=400, failed=name,
                       typed=typed, errors=errors)
    proposal.refresh_from_db(fields=["state"])
    done = TRANSITION_DONE.get(name) or _("“%(title)s” is now %(state)s.")
    messages.success(request, done % {"title": proposal.title,
                                      "state": proposal.get_state_display().lower()})
    return redirect(_next_url(request, reverse("proposals:detail", args=[pk])))


# --- attachments -------------------------------------------------------------------------------


def _require_team(user, proposal: Proposal) -> None:
    """Only the lead and team change attachments; the services say when the state forbids it."""
    if not rules.is_lead_or_team(proposal, user):
        raise PermissionDenied(_("Only the lead and team may change attachments."))


@login_required
@require_POST
def attachment_upload(request, pk: int):
    proposal = _visible_or_404(request.user, pk)
    _require_team(request.user, proposal)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = attachment_add(
                actor=request.user, proposal=proposal, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, found in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, found)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.original_name})
            return redirect(reverse("proposals:detail", args=[pk]) + "#attachments")
    return _detail(request, _visible_or_404(request.user, pk), status=400, upload_form=form)


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_pk: int):
    proposal = _visible_or_404(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, proposal=proposal)
    _require_team(request.user, proposal)
    try:
        attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, _visible_or_404(request.user, pk), status=400)
    messages.success(request, _("“%(name)s” is removed.") % {"name": attachment.original_name})
    return redirect(reverse("proposals:detail", args=[pk]) + "#attachments")


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """Files leave only through here, to people who may see the proposal; never inline."""
    proposal = _visible_or_404(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, proposal=proposal)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("The file is missing.")) from exc
    content_type = attachment.content_type
    if content_type not in SAFE_DOWNLOAD_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response

