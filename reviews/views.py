"""Review pages (SCREENS.md): the reviewer's assignments and scoring form, declaring a
conflict; the chair's panel, assignment plan, ranking and decisions. Thin: parse, call a
service or selector, render; a refusal shows the service's message on the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from fund.models import Round
from fund.selectors import rounds_visible_to
from proposals.lifecycle import PROPOSAL_TRANSITIONS
from proposals.models import Proposal
from proposals.permissions import can_view_proposal
from proposals.selectors import proposal_detail_queryset, proposals_visible_to
from workflow.display import money, state_badge
from workflow.ids import parse_id
from workflow.pages import page_of
from workflow.services import TransitionStateConflict, condition_errors, may_run

from . import services
from .calibration import FLAG_MIN_REVIEWS, FLAG_SDS, TOO_FEW_TO_MEASURE, TOO_FEW_TO_MEASURE_WHY
from .chair_queries import proposals_in_review_chaired_by
from .chairs import (
    is_acting_chair,
    panels_with_chair_duty,
    proposal_panel,
    who_acts_instead,
)
from .forms import (
    DECISIONS,
    AssignForm,
    ConflictForm,
    DecisionForm,
    PanelForm,
    PlanAcceptForm,
    ReviewForm,
    add_service_errors,
)
from .models import Assignment, Panel, Review
from .permissions import (
    ReviewAccess,
    can_assign,
    can_manage_panel,
    can_set_up_panel,
    can_view_assignment,
    can_view_panel,
    can_view_ranking,
    review_access,
)
from .planning import panel_agency_problem
from .selectors import (
    assignments_for_reviewer,
    calibration_summary,
    panel_assignments,
    panels_visible_to,
    ranking_order,
    ranking_page,
    ranking_round_or_none,
    reviews_for_viewer,
)
from .services.summary import review_summary

PAGE_SIZE = 25


def _refusal(form, error) -> None:
    if isinstance(error, ValidationError):
        add_service_errors(form, error)
    else:
        form.add_error(None, str(error))


# What a row of "My reviews" prints (reviews/my_assignments.html): never the proposal's texts.
ASSIGNMENT_ROW_FIELDS = ("id", "due_on", "state", "proposal__title", "proposal__round__title")
# What a row of the chair's two lists prints (with `submitted_reviews`, `active_reviewers`).
CHAIR_ROW_FIELDS = ("id", "title", "submitted_at", "round__reviews_required")
# How many proposals each of the chair's two lists shows.
CHAIR_LIST_SIZE = 20


def chair_lists(user, duties) -> tuple[list[Proposal], list[Proposal]]:
    """The proposals waiting for the panel's decision (`chair_queries.at_quorum`) and those
    short of reviewers (`short_of_reviewers`), the first `CHAIR_LIST_SIZE` of each, oldest
    submitted first, where `user` is the acting chair. Nothing is asked without a chair's duty
    (`duties`: `panels_with_chair_duty`, already read). The two lists are disjoint (a proposal
    at quorum has as many active reviewers as it needs), so they are read in one query, each
    row numbered within its list: the acting chair's rule is planned once, not twice."""
    if not duties:
        return [], []
    required = F("round__reviews_required")
    # at_quorum; blind review: not while the chair's own review is open (whether the others'
    # reached quorum is not theirs to know yet).
    waiting = Q(submitted_reviews__gte=required) & Q(own_review_open=False)
    short = Q(active_reviewers__lt=required)  # short_of_reviewers
    in_list = Case(When(waiting, then=Value(True)), default=Value(False),
                   output_field=BooleanField())
    rows = list(
        proposals_in_review_chaired_by(user)
        .filter(waiting | short)
        .only(*CHAIR_ROW_FIELDS)
        .annotate(waiting=in_list, place=Window(RowNumber(), partition_by=[in_list],
                                                order_by=[F("submitted_at").asc(), F("pk").asc()]))
        .filter(place__lte=CHAIR_LIST_SIZE).order_by("submitted_at", "pk")
    )
    return [p for p in rows if p.waiting], [p for p in rows if not p.waiting]


@login_required
def my_assignments(request):
    """What needs the reviewer now: assignments due, nearest first; for a chair, decisions.

    At national scale (issue 16): a row reads the assignment, its proposal's title and round
    (the columns it prints), and the chair's two lists are one query, asked only of a person
    with a chair's duty."""
    state = request.GET.get("state") or ""
    if state not in Assignment.State.values:
        state = ""
    user = request.user
    assignments = assignments_for_reviewer(user=user, filters={"state": state})
    page_obj = page_of(
        request, assignments.select_related(None).select_related("proposal__round")
        .only(*ASSIGNMENT_ROW_FIELDS), PAGE_SIZE, count_queryset=assignments)
    # Chair, deputy chair or stand-in: every panel where the user may act as chair.
    chaired = list(panels_with_chair_duty(user).select_related("round")
                   .order_by("-round__opens_at", "name", "id"))
    # Found by the database (chair_queries), the first 20 of each: never every proposal
    # of the panel loaded to be tested in Python.
    awaiting, short = chair_lists(user, chaired)
    return render(request, "reviews/my_assignments.html", {
        "declined": _declined_next(user, request.GET.get("declined")),
        "page_obj": page_obj,
        "state": state,
        "states": Assignment.State.choices,
        "chaired": chaired,
        "awaiting": awaiting,
        "short": short,
        "query": f"state={state}" if state else "",
    })


def _declined_next(user, declined) -> dict | None:
    """After declining an assignment (a conflict declared): the proposal declined, and the
    reviewer's next open assignment (or none), for "What next" on "My reviews". Only the
    person's own assignment, and only once it is declined."""
    pk = parse_id(declined)
    if pk is None:
        return None
    assignment = (Assignment.objects.filter(pk=pk, reviewer=user,
                                            state=Assignment.State.CONFLICT)
                  .select_related("proposal").only("id", "proposal__title").first())
    if assignment is None:
        return None
    open_ = assignments_for_reviewer(user=user, filters={"state": Assignment.State.ASSIGNED})
    return {"title": assignment.proposal.title,
            "next_assignment": open_.select_related("proposal").first(),
            "open_count": open_.count()}


def _assignment_or_404(request, pk: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("panel", "reviewer__agency", "proposal__round"), pk=pk
    )
    if not can_view_assignment(request.user, assignment):
        raise Http404(_("No such assignment."))
    return assignment


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request, pk: int):
    """The proposal, read-only, beside the rubric form (the assigned reviewer writes).

    "Save draft" keeps what was given (some criteria may stay unscored); only "Submit review"
    needs every criterion and a recommendation. Once submitted, the page says what comes
    next: the other reviews when the blind rule lets the reviewer read them, their next
    assignment and the way back to their list."""
    assignment = _assignment_or_404(request, pk)
    proposal = proposal_detail_queryset().get(pk=assignment.proposal_id)
    criteria = list(proposal.round.criteria.all())
    mine = assignment.reviewer_id == request.user.pk
    review = (Review.objects.filter(assignment=assignment)
              .prefetch_related("scores__criterion").first())
    withheld = False
    access = review_access(request.user, proposal)
    if review is not None and not mine:
        if assignment.state != Assignment.State.SUBMITTED:
            review = None  # a draft is the reviewer's own
        elif access != ReviewAccess.PANEL:
            review, withheld = None, True  # e.g. a chair whose own review is still open
    if request.method == "POST":
        submitting = "submit" in request.POST
        form = ReviewForm(request.POST, criteria=criteria, draft=not submitting)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.review_save(
                        assignment=assignment, actor=request.user, scores=form.scores(),
                        recommendation=data["recommendation"],
                        comment_to_applicant=data["comment_to_applicant"],
                        comment_to_panel=data["comment_to_panel"],
                        draft=not submitting,
                    )
                    if submitting:
                        services.assignment_submit_review(assignment=assignment,
                                                          actor=request.user)
            except (ValidationError, TransitionStateConflict) as error:
                _refusal(form, error)
            else:
                if submitting:
                    messages.success(request, _("Your review is submitted. Thank you."))
                    return redirect(reverse("reviews:assignment", args=[assignment.pk])
                                    + "#next-steps")
                unscored = len(criteria) - len(form.scores())
                messages.success(request, _("Your draft is saved.") + " " + (
                    _("%(unscored)d of %(total)d criteria are still to score; submit the "
                      "review once every criterion is scored.")
                    % {"unscored": unscored, "total": len(criteria)}
                    if unscored else _("Submit it when it is ready.")))
                return redirect("reviews:assignment", pk=assignment.pk)
    else:
        initial = {}
        if review is not None:
            initial = {
                "recommendation": review.recommendation,
                "comment_to_applicant": review.comment_to_applicant,
                "comment_to_panel": review.comment_to_panel,
                **{f"criterion_{s.criterion_id}": s.value for s in review.scores.all()},
            }
        form = ReviewForm(initial=initial, criteria=criteria)
    editable = mine and assignment.state == Assignment.State.ASSIGNED
    # The proposal's page and files: only while the viewer may still see the proposal (a
    # reviewer whose conflict arose after assignment loses it), by the same rule as the
    # download itself.
    proposal_visible = can_view_proposal(request.user, proposal)
    return render(request, "reviews/assignment_detail.html", {
        "assignment": assignment, "proposal": proposal, "form": form, "review": review,
        "editable": editable, "mine": mine, "criteria": criteria, "withheld": withheld,
        "proposal_visible": proposal_visible,
        "attachments": list(proposal.attachments.all()) if proposal_visible else [],
        "next_steps": _next_steps(request.user, assignment, access) if (
            mine and assignment.state == Assignment.State.SUBMITTED) else None,
    })


def _next_steps(user, assignment: Assignment, access: ReviewAccess) -> dict:
    """After submitting: the other reviews (when the blind rule lets the reviewer read them:
    `review_access` is the same rule the reviews page applies) and the next open assignment."""
    others = 0
    if access == ReviewAccess.PANEL:
        others = (Assignment.objects.filter(proposal_id=assignment.proposal_id,
                                            state=Assignment.State.SUBMITTED)
                  .exclude(pk=assignment.pk).count())
    upcoming = (assignments_for_reviewer(user=user, filters={"state": Assignment.State.ASSIGNED})
                .exclude(pk=assignment.pk).first())
    return {"reviews_readable": access == ReviewAccess.PANEL, "other_reviews": others,
            "next_assignment": upcoming}


@login_required
@require_http_methods(["GET", "POST"])
def declare_conflict(request, pk: int):
    assignment = _assignment_or_404(request, pk)
    if assignment.reviewer_id != request.user.pk:
        raise PermissionDenied(_("Only the assigned reviewer may declare a conflict."))
    if assignment.state == Assignment.State.CONFLICT:  # declared already (another tab)
        return _conflict_declared_already(request, assignment)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_declare_conflict(
                assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, TransitionStateConflict) as error:
            assignment.refresh_from_db()
            if assignment.state == Assignment.State.CONFLICT:  # sent twice at once
                return _conflict_declared_already(request, assignment)
            _refusal(form, error)
        else:
            # What happened, in words; "My reviews" then says what to do next (DECLINED_NEXT).
            messages.success(request, _(
                "You declined to review “%(title)s”: your conflict of interest is recorded, and "
                "the panel's chair is told to ask another reviewer. You have nothing more to do "
                "on it.") % {"title": assignment.proposal.title})
            return redirect(f"{reverse('reviews:my_assignments')}?declined={assignment.pk}")
    return render(request, "reviews/declare_conflict.html",
                  {"assignment": assignment, "form": form})


def _conflict_declared_already(request, assignment):
    """A conflict declared already (the form sent twice, or opened again): what it means,
    on "My reviews", instead of the form or a refusal."""
    messages.info(request, _(
        "You already declared a conflict of interest on “%(title)s”: there is nothing more "
        "to do on it.") % {"title": assignment.proposal.title})
    return redirect(reverse("reviews:my_assignments"))


@login_required
def panel_list(request):
    panels = panels_visible_to(request.user).order_by("-round__opens_at", "name", "id")
    page_obj = page_of(request, panels, PAGE_SIZE)
    return render(request, "reviews/panel_list.html", {
        "page_obj": page_obj, "can_set_up": can_set_up_panel(request.user),
        "rounds": Round.objects.exclude(state=Round.State.ARCHIVED).order_by("-opens_at")
        if can_set_up_panel(request.user) else [],
    })


def _panel_for_manager(request, pk: int) -> Panel:
    panel = get_object_or_404(Panel.objects.select_related("round", "chair__agency", "deputy_chair__agency"), pk=pk)
    if not can_view_panel(request.user, panel):
        raise Http404(_("No such panel."))
    if not can_manage_panel(request.user, panel):
        raise PermissionDenied(_("Only the panel's chair and fund managers see its assignments."))
    return panel


@login_required
def panel_detail(request, pk: int):
    """Members and their agencies, and the assignments by proposal."""
    panel = _panel_for_manager(request, pk)
    members = list(panel.members.select_related("agency").order_by(
        "agency__code", "last_name", "first_name", "username"))
    page_obj = page_of(request, panel_assignments(panel=panel, viewer=request.user), 50)
    return render(request, "reviews/panel_detail.html", {
        "panel": panel, "members": members, "page_obj": page_obj,
        "agency_count": len({m.agency_id for m in members if m.agency_id}),
        "panel_problem": panel_agency_problem(panel, members),
    })


PLAN_PAIR_UNKNOWN = gettext_lazy("A proposal or reviewer in the plan no longer exists.")


def _pairs_not_visible(user, pairs) -> list[tuple[int, int]]:
    """The (proposal, reviewer) pairs naming a proposal or person the user may not see, or
    that does not exist: one answer for both."""
    from workflow.api import people_visible_to

    in_range = range(1, 2**63)  # an id beyond the database's integers names nothing
    proposal_ids = {p for p, _ in pairs if p in in_range}
    people_ids = {r for _, r in pairs if r in in_range}
    seen = set(proposals_visible_to(user).filter(pk__in=proposal_ids).values_list("pk", flat=True))
    known = set(people_visible_to(user).filter(pk__in=people_ids).values_list("pk", flat=True))
    return [(p, r) for p, r in pairs if p not in seen or r not in known]


@login_required
@require_http_methods(["GET", "POST"])
def panel_plan(request, pk: int):
    """The proposed assignments (adjustable, conflicts explained) and a manual assignment."""
    panel = _panel_for_manager(request, pk)
    accept_form = PlanAcceptForm(prefix="plan")
    assign_form = AssignForm(prefix="add", panel=panel, user=request.user)
    chosen = None
    if request.method == "POST" and request.POST.get("action") == "add":
        assign_form = AssignForm(request.POST, prefix="add", panel=panel, user=request.user)
        if assign_form.is_valid():
            try:
                services.assignment_create(actor=request.user, panel=panel,
                                           **assign_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(assign_form, error)
            else:
                messages.success(request, _("The reviewer is assigned."))
                return redirect("reviews:plan", pk=panel.pk)
    elif request.method == "POST":
        accept_form = PlanAcceptForm(request.POST, prefix="plan")
        chosen = set(request.POST.getlist("pair"))
        pairs = []
        for value in chosen:
            try:
                proposal_id, reviewer_id = (int(part) for part in value.split("-", 1))
            except ValueError:
                continue
            pairs.append((proposal_id, reviewer_id))
        unknown = _pairs_not_visible(request.user, pairs)
        if unknown:
            # An id the user may not see is refused like one that does not exist, before the
            # service (whose refusals name proposals by title) ever reads it.
            for _pair in unknown:
                accept_form.add_error(None, PLAN_PAIR_UNKNOWN)
        elif accept_form.is_valid():
            try:
                made = services.assignment_plan_accept(
                    actor=request.user, panel=panel, pairs=pairs,
                    due_on=accept_form.cleaned_data["due_on"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "pairs" in error.error_dict:
                    for message in error.message_dict["pairs"]:
                        accept_form.add_error(None, message)
                else:
                    add_service_errors(accept_form, error)
            else:
                messages.success(request, ngettext(
                    "%(count)d assignment made.", "%(count)d assignments made.", len(made))
                    % {"count": len(made)})
                return redirect("reviews:panel", pk=panel.pk)
    plan = services.assignment_plan(panel=panel, actor=request.user)
    if chosen is None:
        chosen = {f"{p}-{r}" for p, r in plan.pairs}
    for row in plan.rows:
        row.choices = [(m, f"{row.proposal.pk}-{m.pk}", f"{row.proposal.pk}-{m.pk}" in chosen)
                       for m in row.proposed]
    for member in plan.members:
        member.planned_load = plan.loads.get(member.pk, 0)
    return render(request, "reviews/panel_plan.html", {
        "panel": panel, "plan": plan, "accept_form": accept_form, "assign_form": assign_form,
        "chosen": chosen,
    })


@login_required
@require_http_methods(["GET", "POST"])
def panel_create(request, round_pk: int):
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=round_pk)
    if not can_set_up_panel(request.user):
        raise PermissionDenied(_("Only fund managers set up review panels."))
    form = PanelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            panel = services.panel_create(actor=request.user, round_=round_,
                                          **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The panel “%(name)s” is set up.") % {"name": panel.name})
            return redirect("reviews:panel", pk=panel.pk)
    return render(request, "reviews/panel_form.html", {
        "round": round_, "form": form, "member_groups": member_groups(form, round_),
    })


def member_groups(form: PanelForm, round_) -> list[dict]:
    """The panel form's people as checkboxes grouped by agency, each with what the rules say
    of them in plain words (`services.panel_people_notes`: the services' own rules), at a
    fixed number of queries."""
    people = list(form.fields["members"].queryset)
    notes = services.panel_people_notes(round_, people)
    if form.is_bound:
        chosen = {str(v) for v in form.data.getlist("members")}
    else:
        chosen = {str(getattr(m, "pk", m)) for m in (form.initial.get("members") or [])}
    groups: dict = {}
    for person in people:
        agency = person.agency
        key = agency.code if agency is not None else ""
        group = groups.setdefault(key, {
            "code": key or "none",
            "label": str(agency) if agency is not None else _("No agency"),
            "people": [], "chosen": 0,
        })
        checked = str(person.pk) in chosen
        note = notes[person.pk]
        group["people"].append({
            "user": person, "checked": checked, "notes": note,
            # The service refuses such a member: not offered, unless already ticked (then the
            # refusal says why when saving).
            "disabled": bool(note["member"]) and not checked,
        })
        group["chosen"] += checked
    return [groups[k] for k in sorted(groups, key=lambda k: (k == "", k))]


# A number no proposal id reaches, reversed in place of the id once per page.
_ANY_PK = 987654321


def _shown_cells(rows: list[dict], *, currency: str) -> None:
    """The ranking table's per-row cells that take work to render, made once per page rather
    than by a template tag or filter in each of its rows (issue 16): `url`, the proposal's
    reviews (`reviews:proposal`, reversed once for the page); `badge`, its state
    (`state_badge`, once per state); `requested_text` and `cumulative_text`, the amounts
    (`money`). The same text as the tags and filters give."""
    head, tail = reverse("reviews:proposal", args=[_ANY_PK]).split(str(_ANY_PK))
    badges: dict[str, str] = {}
    for row in rows:
        proposal = row["proposal"]
        row["url"] = f"{head}{proposal.pk}{tail}"
        badge = badges.get(proposal.state)
        if badge is None:
            badge = badges[proposal.state] = state_badge(proposal)
        row["badge"] = badge
        row["requested_text"] = money(row["requested_amount"], currency)
        row["cumulative_text"] = money(row["cumulative_requested"], currency)


@login_required
def round_ranking(request, pk: int):
    """The round's proposals by mean weighted score (or, `?order=calibrated`, by calibrated
    score) with the funding line on that order; proposals the viewer has a conflict with are
    set apart, unranked, with no running totals and no calibration."""
    round_ = ranking_round_or_none(request.user, pk)
    if round_ is None:
        raise Http404(_("No such round."))
    if not can_view_ranking(request.user, round_):
        raise PermissionDenied(_("Only fund managers and the round's panel chairs see the ranking."))
    page = ranking_page(round_=round_, viewer=request.user, page=request.GET.get("page"),
                        order=ranking_order(request.GET.get("order")))
    _shown_cells(page.ranked, currency=round_.fund.currency)
    return render(request, "reviews/ranking.html", {
        "round": round_, "page_obj": page, "rows": page.rows,
        "ranked": page.ranked, "apart": page.apart, "totals_shown": page.totals_shown,
        "order": page.order, "calibration_shown": page.calibration_shown,
        "calibration": calibration_summary(round_=round_, shown=page.calibration_shown),
        "too_few_to_measure": TOO_FEW_TO_MEASURE,
        "too_few_to_measure_why": TOO_FEW_TO_MEASURE_WHY,
        "flag_rule": {"sds": FLAG_SDS, "reviews": FLAG_MIN_REVIEWS},
    })


def _decision_options(proposal: Proposal, user) -> dict:
    """The decisions `user` may record now, and for the others why not and what is missing,
    from the rules the services apply: the state machine's permission (`may_run`: the acting
    chair, reviews.rules.is_acting_chair) and its conditions (`condition_errors`: the quorum,
    reviews.rules.review_quorum_reached)."""
    labels = dict(DECISIONS)
    permitted = [name for name in labels if may_run(proposal, name, user)]
    offered, blocked = [], []
    for name in permitted:
        errors = condition_errors(proposal, name)
        if errors:
            blocked.append({"label": labels[name],
                            "reasons": [m for ms in errors.values() for m in ms]})
        else:
            offered.append(name)
    waiting, to_assign = [], 0
    if blocked:
        # What is missing for the quorum: the reviews still open, and reviewers still to find.
        active = proposal.assignments.filter(state__in=(Assignment.State.ASSIGNED,
                                                        Assignment.State.SUBMITTED))
        waiting = list(active.filter(state=Assignment.State.ASSIGNED)
                       .select_related("reviewer__agency").order_by("due_on", "id"))
        to_assign = max(0, proposal.round.reviews_required - active.count())
    panel = proposal_panel(proposal) if permitted else None
    return {
        "permitted": permitted, "offered": offered, "blocked": blocked, "waiting": waiting,
        "to_assign": to_assign, "panel": panel,
        "can_assign": bool(panel and can_assign(user, panel, proposal)),
        # Someone who sees the panel's view but does not act as its chair is told who does.
        "who_acts": "" if permitted or proposal.state != Proposal.State.IN_REVIEW
        else who_acts_instead(proposal),
    }


# What the chair reads once the decision is recorded: what happened and who is told.
DECISION_DONE = {
    "recommend": gettext_lazy("You recommended “%(title)s” for funding on behalf of the panel. "
                              "The applicants and the fund managers are told."),
    "reject": gettext_lazy("You recorded that the panel does not recommend “%(title)s”. The "
                           "applicants are told, with the panel's rationale."),
    "request_revision": gettext_lazy("You asked the team of “%(title)s” for a revision. They are "
                                     "told what to change."),
}


@login_required
@require_http_methods(["GET", "POST"])
def proposal_reviews(request, pk: int):
    """A proposal's reviews shaped for the viewer, the summary the panel decides on, and the
    chair's decision: offered only when the viewer may record it now, else why not."""
    proposal = get_object_or_404(
        proposals_visible_to(request.user).select_related("round__fund", "lead__agency"), pk=pk
    )
    names = [name for name, _ in DECISIONS]
    if request.method == "POST" and not is_acting_chair(request.user, proposal):
        raise PermissionDenied(_("Only this proposal's acting chair records the panel's decision."))
    options = _decision_options(proposal, request.user)
    form = DecisionForm(allowed=options["offered"])
    if request.method == "POST":
        # Any decision is parsed: the service says why one is refused, next to the form.
        form = DecisionForm(request.POST, allowed=names)
        if form.is_valid():
            service = PROPOSAL_TRANSITIONS[form.cleaned_data["decision"]]
            rationale = form.cleaned_data["rationale"]
            try:
                service(proposal=proposal, actor=request.user, note=rationale)
            except (ValidationError, TransitionStateConflict) as error:
                _refusal(form, error)
            else:
                messages.success(request, DECISION_DONE[form.cleaned_data["decision"]] % {
                    "title": proposal.title})
                return redirect(reverse("reviews:proposal", args=[proposal.pk]))
        form.fields["decision"].choices = [
            (k, v) for k, v in DECISIONS if k in options["offered"]
        ] or form.fields["decision"].choices
    access, reviews = reviews_for_viewer(proposal=proposal, viewer=request.user)
    if access == ReviewAccess.APPLICANT:
        reviews = [r for r in reviews if r.comment_to_applicant]
    summary = review_summary(proposal=proposal) if access == ReviewAccess.PANEL else None
    return render(request, "reviews/proposal_reviews.html", {
        "proposal": proposal, "access": access.value, "reviews": reviews, "form": form,
        "allowed": options["offered"], "options": options, "summary": summary,
        "submitted_count": summary.count if summary else None,
        "in_review": proposal.state == Proposal.State.IN_REVIEW,
    })
