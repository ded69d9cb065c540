"""Write side of reviews: rubric, panels, assignments, reviews and the panel's decisions.

`ASSIGNMENT_TRANSITIONS` maps the assignment's transitions to their services; the panel's
proposal transitions (`recommend`, `reject`) are declared with the others in
`proposals/lifecycle.py`, which names the services here.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fund.models import Round
from people.models import User
from proposals.conflicts import conflict_reason
from proposals.models import Proposal
from workflow.services import (
    TransitionStateConflict,
    check_transition,
    condition_errors,
    may_run,
    run_transition,
    transition_allowed_in_state,
)

from .models import Assignment, Criterion, Panel, Review, Score
from .permissions import can_assign, can_edit_rubric, can_manage_panel, can_set_up_panel
from .planning import build_plan, panel_agency_problem
from .scoring import weighted_score

ARCHIVED = "This round is archived: nothing in it changes any more."


def _refuse_if_archived(round_: Round) -> None:
    """Nothing of an archived round changes (DOMAIN.md, "Finished rounds are frozen")."""
    if round_.state == Round.State.ARCHIVED:
        raise ValidationError(ARCHIVED)


def _required(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


# --- the rubric ------------------------------------------------------------------------------
def _require_rubric_editable(actor, round_: Round) -> None:
    if not can_edit_rubric(actor):
        raise PermissionDenied("Only fund managers may change a round's rubric.")
    if round_.state in (Round.State.CLOSED, Round.State.ARCHIVED):
        raise ValidationError("The round is closed: its rubric no longer changes.")
    if Review.objects.filter(assignment__proposal__round=round_,
                             assignment__state=Assignment.State.SUBMITTED).exists():
        raise ValidationError(
            "A review has been submitted in this round; its rubric can no longer change."
        )


# Reviewers pick 1..max_score on radio buttons: below 2 there is no choice, above 10 the
# scale stops meaning anything to a reviewer.
MIN_SCORE_SCALE, MAX_SCORE_SCALE = 2, 10
NAME_MESSAGE = "Give the criterion a name."
MAX_SCORE_MESSAGE = (f"Reviewers score from 1 up to this number: choose a whole number from "
                     f"{MIN_SCORE_SCALE} to {MAX_SCORE_SCALE}.")


def duplicate_name_problem(round_: Round, name: str, criterion: Criterion | None = None):
    """A round's criteria have distinct names: reviewers, rankings and exports tell them apart
    by name."""
    others = Criterion.objects.filter(round=round_, name__iexact=(name or "").strip())
    if criterion is not None and criterion.pk:
        others = others.exclude(pk=criterion.pk)
    if others.exists():
        return f"This round's rubric already has a criterion called “{name.strip()}”."
    return None


def _check_criterion(criterion: Criterion) -> None:
    """What a criterion may look like, whoever edits it (page, API, admin code)."""
    criterion.name = (criterion.name or "").strip()
    errors: dict[str, list[str]] = {}
    if not criterion.name:
        errors["name"] = [NAME_MESSAGE]
    elif problem := duplicate_name_problem(criterion.round, criterion.name, criterion):
        errors["name"] = [problem]
    if not MIN_SCORE_SCALE <= (criterion.max_score or 0) <= MAX_SCORE_SCALE:
        errors["max_score"] = [MAX_SCORE_MESSAGE]
    if errors:
        raise ValidationError(errors)
    criterion.full_clean()


@transaction.atomic
def criterion_create(*, actor, round_: Round, name: str, description: str = "",
                     weight=1, max_score: int = 5) -> Criterion:
    """Fund managers edit a round's rubric until its first review is submitted."""
    _require_rubric_editable(actor, round_)
    position = round_.criteria.count()
    criterion = Criterion(round=round_, name=name, description=description, weight=weight,
                          max_score=max_score, position=position)
    _check_criterion(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, actor, criterion: Criterion, **fields) -> Criterion:
    """Change a criterion's name, description, weight, scale or place, while the rubric may."""
    _require_rubric_editable(actor, criterion.round)
    for name in ("name", "description", "weight", "max_score", "position"):
        if name in fields:
            setattr(criterion, name, fields[name])
    _check_criterion(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, actor, criterion: Criterion) -> None:
    _require_rubric_editable(actor, criterion.round)
    Score.objects.filter(criterion=criterion).delete()  # only unsubmitted drafts hold any
    criterion.delete()


# --- panels ---------------------------------------------------------------------------------
HR_NOT_ON_PANELS = ("{user} is an HR officer; HR officers decide on careers and never see "
                    "review scores, so they do not sit on panels.")


def _person_problem(user) -> str:
    if not user.is_active:
        return f"{user} is not an active civil servant."
    if user.is_hr_officer:
        return HR_NOT_ON_PANELS.format(user=user)
    return ""


def _submitted_in_round(user, round_) -> bool:
    """Leads, or accepted member of, a proposal submitted in `round_` (not a draft, nor a draft
    withdrawn before submission)."""
    from proposals.models import TeamMember

    theirs = Proposal.objects.filter(round=round_, submitted_at__isnull=False).exclude(
        state=Proposal.State.DRAFT)
    return theirs.filter(lead=user).exists() or TeamMember.objects.filter(
        user=user, state=TeamMember.State.ACCEPTED, proposal__in=theirs).exists()


def chair_duty_problem(user, round_, duty: str = "chair") -> str:
    """Why `user` may not hold a chair duty (chair, deputy chair, stand-in) in `round_`: they
    must be active, not an HR officer, belong to an agency, and have no submitted proposal in
    the round (DOMAIN.md, "No one decides on their own interest")."""
    problem = _person_problem(user)
    if problem:
        return problem
    if user.agency_id is None:
        return f"{user} belongs to no agency; a panel's {duty} must belong to one."
    if _submitted_in_round(user, round_):
        return (f"{user} has a proposal submitted in this round, so cannot be its panel's "
                f"{duty}.")
    return ""


def panel_problems(*, panel: Panel | None, round_: Round, chair: User | None,
                   members, deputy_chair: User | None = None,
                   deputy_given: bool = False) -> dict[str, list[str]]:
    """Every reason a panel (new when `panel` is None) may not have this chair, deputy chair
    and these members (empty when it may): a chair is named; chair, deputy and members are
    active and not HR officers; chair and deputy belong to an agency, have no submitted
    proposal in the round, and the deputy is from another agency than the chair; a member with
    assignments stays on the panel, and a panel with assignments keeps members from at least
    `round.min_panel_agencies` agencies. The one check behind the pages, the API and the
    admin. `chair`, `members` None (or `deputy_given` False): left as they are."""
    errors: dict[str, list[str]] = {}
    if chair is None and panel is None:
        errors["chair"] = ["Choose the panel's chair."]
    elif chair is not None and (problem := chair_duty_problem(chair, round_)):
        errors["chair"] = [problem]
    if deputy_given and deputy_chair is not None:
        the_chair = chair or (panel.chair if panel is not None else None)
        if problem := chair_duty_problem(deputy_chair, round_, "deputy chair"):
            errors["deputy_chair"] = [problem]
        elif the_chair is not None and deputy_chair.pk == the_chair.pk:
            errors["deputy_chair"] = ["The deputy chair is someone other than the chair."]
        elif the_chair is not None and deputy_chair.agency_id == the_chair.agency_id:
            errors["deputy_chair"] = [
                "Choose a deputy chair from another agency than the chair's, so one of them "
                "is free of conflict when the chair's agency is involved."]
    if members is not None:
        members = list(members)
        refused = [_person_problem(m) for m in members if _person_problem(m)]
        if refused:
            errors["members"] = refused
        if panel is not None and panel.pk is not None:
            assigned = set(panel.assignments.values_list("reviewer_id", flat=True))
            if assigned - {m.pk for m in members}:
                errors.setdefault("members", []).append(
                    "A member who already has assignments cannot leave the panel."
                )
            elif assigned:
                # The round as given (the admin form may be moving the panel to another).
                problem = panel_agency_problem(Panel(round=round_, name=panel.name), members)
                if problem:
                    errors.setdefault("members", []).append(problem)
    return errors


_UNSET = object()


@transaction.atomic
def panel_create(*, actor, round_: Round, name: str, chair: User, members=(),
                 deputy_chair: User | None = None) -> Panel:
    """Fund managers set up a round's panel: a chair (and optionally a deputy chair from
    another agency) and reviewers from several agencies, none of them an HR officer."""
    if not can_set_up_panel(actor):
        raise PermissionDenied("Only fund managers may set up review panels.")
    _refuse_if_archived(round_)
    name = _required(name, "name", "Give the panel a name.")
    members = list(members)
    errors = panel_problems(panel=None, round_=round_, chair=chair, members=members,
                            deputy_chair=deputy_chair, deputy_given=True)
    if errors:
        raise ValidationError(errors)
    panel = Panel.objects.create(round=round_, name=name, chair=chair, deputy_chair=deputy_chair)
    panel.members.set(members)
    return panel


@transaction.atomic
def panel_update(*, actor, panel: Panel, name: str | None = None, chair: User | None = None,
                 members=None, deputy_chair=_UNSET) -> Panel:
    """The same rules as panel_create; besides, members with assignments stay and the panel
    keeps enough agencies once assignments are made. `deputy_chair=None` removes the deputy."""
    if not can_set_up_panel(actor):
        raise PermissionDenied("Only fund managers may change review panels.")
    _refuse_if_archived(panel.round)
    if name is not None:
        panel.name = _required(name, "name", "Give the panel a name.")
    members = None if members is None else list(members)
    deputy_given = deputy_chair is not _UNSET
    errors = panel_problems(panel=panel, round_=panel.round, chair=chair, members=members,
                            deputy_chair=deputy_chair if deputy_given else None,
                            deputy_given=deputy_given)
    if errors:
        raise ValidationError(errors)
    if chair is not None:
        panel.chair = chair
    if deputy_given:
        panel.deputy_chair = deputy_chair
    panel.save()
    if members is not None:
        panel.members.set(members)
    return panel


# --- stand-in chairs ---------------------------------------------------------------------------
@transaction.atomic
def panel_stand_in_name(*, actor, panel: Panel, proposal: Proposal, chair: User):
    """An unconflicted fund manager names a panel member without conflict to act as chair
    for one proposal of the panel whose chair and deputy chair both have a conflict with it
    (DOMAIN.md, reviews/). Returns the `PanelStandIn`."""
    from .chairs import proposal_panel
    from .models import PanelStandIn

    if not can_set_up_panel(actor):
        raise PermissionDenied("Only fund managers name stand-in chairs.")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if conflict_reason(actor, proposal):
        raise PermissionDenied("You have a conflict of interest with this proposal; another "
                               "fund manager names its stand-in chair.")
    errors: dict[str, list[str]] = {}
    _refuse_if_archived(panel.round)
    if proposal_panel(proposal) != panel or (proposal.panel_id not in (None, panel.pk)):
        errors["proposal"] = ["Choose a proposal that this panel reviews."]
    elif proposal.state not in (Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED):
        errors["proposal"] = ["Only a proposal this panel is reviewing needs a stand-in chair."]
    if not panel.members.filter(pk=chair.pk).exists():
        errors["chair"] = [f"{chair} is not a member of the panel “{panel.name}”."]
    elif problem := chair_duty_problem(chair, panel.round, "stand-in chair"):
        errors["chair"] = [problem]
    elif reason := conflict_reason(chair, proposal):
        errors["chair"] = [f"Conflict of interest: {reason}"]
    if errors:
        raise ValidationError(errors)
    return PanelStandIn.objects.create(panel=panel, proposal=proposal, chair=chair,
                                       named_by=actor)


@transaction.atomic
def proposal_move_to_panel(*, actor, proposal: Proposal, panel: Panel) -> Proposal:
    """A fund manager without conflict moves a proposal to another panel of its round while
    none of its reviews is submitted; its open assignments stay with the old panel's
    reviewers only if they sit on the new one."""
    if not can_set_up_panel(actor):
        raise PermissionDenied("Only fund managers move proposals between panels.")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if conflict_reason(actor, proposal):
        raise PermissionDenied("You have a conflict of interest with this proposal; another "
                               "fund manager moves it.")
    if panel.round_id != proposal.round_id:
        raise ValidationError({"panel": ["Choose a panel of the proposal's round."]})
    if proposal.assignments.filter(state=Assignment.State.SUBMITTED).exists():
        raise ValidationError({"panel": ["A review of this proposal is submitted; it stays "
                                         "with its panel."]})
    Proposal.objects.filter(pk=proposal.pk).update(panel=panel)
    proposal.panel = panel
    return proposal


# --- assignments ------------------------------------------------------------------------------
FLAGGED_PREFIX = "A conflict of interest arose after assignment"
NOT_ASSIGNABLE = "Choose a proposal in review that this panel reviews."


def _acting_refusal(actor, proposal: Proposal) -> str:
    from .chairs import who_acts_instead

    if conflict_reason(actor, proposal):
        return ("You have a conflict of interest with this proposal; a fund manager without "
                "one or its acting chair assigns its reviewers. " + who_acts_instead(proposal))
    return "Only this proposal's acting chair or a fund manager may assign its reviewers. " + \
        who_acts_instead(proposal)


def assignment_problems(*, actor, proposal: Proposal, reviewer: User, panel: Panel,
                        due_on) -> dict[str, list[str]]:
    """Every reason this assignment may not be made (empty when it may). The one check behind
    the pages, the API, the admin and any import. A proposal the actor may not see, or that
    another panel reviews, is refused in words that do not describe it."""
    from proposals.permissions import can_view_proposal

    from .chairs import proposal_panel

    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if proposal.round_id != panel.round_id or proposal_panel(proposal) != panel:
        return {"proposal": [NOT_ASSIGNABLE]}
    if actor is not None and not actor.is_superuser and not can_view_proposal(actor, proposal):
        from .permissions import has_chair_duty

        if not has_chair_duty(actor, panel):
            return {"proposal": [NOT_ASSIGNABLE]}
        # A chair of this panel refused on one of its proposals hears why and who acts.
    if actor is not None and not can_assign(actor, panel, proposal):
        return {"proposal": [_acting_refusal(actor, proposal)]}
    if panel.round.state == Round.State.ARCHIVED:
        return {"proposal": [ARCHIVED]}
    if proposal.state != Proposal.State.IN_REVIEW:
        add("proposal", f"“{proposal.title}” is {proposal.get_state_display().lower()}; "
                        "only proposals in review are assigned.")
    if not panel.members.filter(pk=reviewer.pk).exists():
        add("reviewer", f"{reviewer} is not a member of the panel “{panel.name}”.")
    elif not reviewer.is_active:
        add("reviewer", f"{reviewer} is not an active civil servant.")
    if reviewer.is_hr_officer:
        add("reviewer", f"{reviewer} is an HR officer; HR officers decide on careers and "
                        "never see review scores.")
    reason = conflict_reason(reviewer, proposal)
    if reason:
        add("reviewer", f"Conflict of interest: {reason}")
    earlier = Assignment.objects.filter(proposal=proposal, reviewer=reviewer).first()
    if earlier is not None:
        if earlier.state == Assignment.State.CONFLICT:
            if earlier.conflict_reason.startswith(FLAGGED_PREFIX):
                add("reviewer", f"{reviewer}: {earlier.conflict_reason}")
            else:
                add("reviewer", f"{reviewer} declared a conflict on this proposal: "
                                f"{earlier.conflict_reason}")
        else:
            add("reviewer", f"{reviewer} is already assigned to this proposal.")
    problem = panel_agency_problem(panel)
    if problem:
        add("panel", problem)
    if due_on is None:
        add("due_on", "Give the date the review is due.")
    elif isinstance(due_on, date) and due_on < timezone.localdate():
        add("due_on", "The due date has passed; choose a date from today on.")
    return errors


@transaction.atomic
def assignment_create(*, actor, proposal: Proposal, reviewer: User, panel: Panel,
                      due_on) -> Assignment:
    """The proposal's acting chair or an unconflicted fund manager assigns a panel member with
    no conflict of interest to a proposal in review, once the panel spans enough agencies."""
    if not can_manage_panel(actor, panel):
        raise PermissionDenied("Only the panel's chairs or a fund manager may assign reviewers.")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    errors = assignment_problems(actor=actor, proposal=proposal, reviewer=reviewer,
                                 panel=panel, due_on=due_on)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Assignment.objects.create(proposal=proposal, reviewer=reviewer, panel=panel,
                                             due_on=due_on, assigned_by=actor)
    except IntegrityError:  # the same pair made at the same instant elsewhere
        raise ValidationError(
            {"reviewer": f"{reviewer} is already assigned to this proposal."}
        ) from None


def assignment_plan(*, panel: Panel, actor):
    """The proposed assignments for the panel's round (see reviews.planning)."""
    if not can_manage_panel(actor, panel):
        raise PermissionDenied("Only the panel's chairs or a fund manager may plan assignments.")
    return build_plan(panel, viewer=actor)


@transaction.atomic
def assignment_plan_accept(*, actor, panel: Panel, pairs, due_on) -> list[Assignment]:
    """Make the (possibly adjusted) plan's assignments: all of them or, if one is refused,
    none, with every refusal named."""
    if not can_manage_panel(actor, panel):
        raise PermissionDenied("Only the panel's chair or a fund manager may assign reviewers.")
    pairs = list(dict.fromkeys((int(p), int(r)) for p, r in pairs))
    if not pairs:
        raise ValidationError({"pairs": "Choose at least one assignment to make."})
    proposals = Proposal.objects.in_bulk({p for p, _ in pairs})
    reviewers = User.objects.select_related("agency").in_bulk({r for _, r in pairs})
    made, refusals = [], []
    for proposal_id, reviewer_id in pairs:
        proposal, reviewer = proposals.get(proposal_id), reviewers.get(reviewer_id)
        if proposal is None or reviewer is None:
            refusals.append("A proposal or reviewer in the plan no longer exists.")
            continue
        try:
            with transaction.atomic():
                made.append(assignment_create(actor=actor, proposal=proposal, reviewer=reviewer,
                                              panel=panel, due_on=due_on))
        except ValidationError as error:
            messages = sorted({m for ms in error.message_dict.values() for m in ms})
            refusals.append(f"{reviewer} → “{proposal.title}”: {' '.join(messages)}")
    if refusals:
        transaction.set_rollback(True)
        raise ValidationError({"pairs": refusals})
    return made


# --- reviews ----------------------------------------------------------------------------------
def _locked_assignment(assignment: Assignment) -> Assignment:
    return (Assignment.objects.select_for_update(of=("self",))
            .select_related("proposal__round", "proposal__lead__agency", "reviewer__agency",
                            "panel")
            .get(pk=assignment.pk))


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _clean_scores(assignment: Assignment, scores) -> list[tuple[Criterion, int]]:
    criteria = {c.pk: c for c in assignment.proposal.round.criteria.all()}
    given, errors = {}, []
    refused = set()  # criteria with a bad value: their own message, not "missing" as well
    if not isinstance(scores, list | tuple):
        raise ValidationError({"scores": "Send the scores as a list of "
                                         "{\"criterion\": id, \"value\": n}."})
    for entry in scores:
        if not isinstance(entry, dict):
            errors.append("Each score is {\"criterion\": id, \"value\": n}.")
            continue
        raw_criterion = entry.get("criterion")
        criterion = raw_criterion if isinstance(raw_criterion, Criterion) else None
        if criterion is None:
            try:
                criterion = criteria.get(int(raw_criterion))
            except (TypeError, ValueError):
                criterion = None
        if criterion is None or criterion.pk not in criteria:
            errors.append(f"Criterion {raw_criterion} is not in this round's rubric.")
            continue
        if criterion.pk in given:
            errors.append(f"“{criterion.name}” is scored twice.")
            continue
        value = entry.get("value")
        number = _whole_number(value)
        if number is None or not 1 <= number <= criterion.max_score:
            errors.append(f"“{criterion.name}”: the score must be a whole number from 1 to "
                          f"{criterion.max_score}; {value!r} is not.")
            refused.add(criterion.pk)
            continue
        given[criterion.pk] = (criterion, number)
    missing = [c.name for pk, c in criteria.items() if pk not in given and pk not in refused]
    if missing:
        errors.append(f"Score every criterion; missing: {', '.join(missing)}.")
    if errors:
        raise ValidationError({"scores": errors})
    return [given[pk] for pk in criteria]


def _require_reviewable(assignment: Assignment, actor) -> None:
    if not (actor and actor.is_authenticated and assignment.reviewer_id == actor.pk):
        raise PermissionDenied("Only the assigned reviewer may write this review.")
    if assignment.state == Assignment.State.CONFLICT:
        if assignment.conflict_reason.startswith(FLAGGED_PREFIX):
            raise ValidationError(f"This assignment takes no review. {assignment.conflict_reason}")
        raise ValidationError("You declared a conflict on this assignment; it takes no review.")
    if assignment.state == Assignment.State.SUBMITTED:
        raise ValidationError("The review of this assignment was already submitted; "
                              "a second review is not accepted.")
    reason = conflict_reason(actor, assignment.proposal)
    if reason:
        raise ValidationError(f"Conflict of interest: {reason}")
    proposal = assignment.proposal
    _refuse_if_archived(proposal.round)
    if proposal.state != Proposal.State.IN_REVIEW:
        raise ValidationError(f"“{proposal.title}” is "
                              f"{proposal.get_state_display().lower()}, no longer in review.")


@transaction.atomic
def review_save(*, assignment: Assignment, actor, scores, recommendation: str,
                comment_to_applicant: str = "", comment_to_panel: str = "") -> Review:
    """The assigned reviewer, with no conflict, scores every criterion from 1 to its maximum;
    the review may be saved and changed until it is submitted."""
    assignment = _locked_assignment(assignment)
    _require_reviewable(assignment, actor)
    errors = {}
    try:
        cleaned = _clean_scores(assignment, scores)
    except ValidationError as error:
        errors.update(error.message_dict)
    if recommendation not in Review.Recommendation.values:
        errors["recommendation"] = ["Choose fund, revise or do not fund."]
    if errors:
        raise ValidationError(errors)
    review, _ = Review.objects.update_or_create(
        assignment=assignment,
        defaults={
            "recommendation": recommendation,
            "comment_to_applicant": str(comment_to_applicant or "").strip(),
            "comment_to_panel": str(comment_to_panel or "").strip(),
            "weighted_score": weighted_score(cleaned),
        },
    )
    review.scores.all().delete()
    Score.objects.bulk_create(Score(review=review, criterion=c, value=v) for c, v in cleaned)
    return review


@transaction.atomic
def assignment_submit_review(*, assignment: Assignment, actor, note: str = "",
                             review: dict | None = None) -> Assignment:
    """The reviewer submits a complete review (given `review`, its fields are saved first).
    Once submitted the review no longer changes."""
    if review:
        review_save(
            assignment=assignment, actor=actor, scores=review.get("scores"),
            recommendation=review.get("recommendation") or "",
            comment_to_applicant=review.get("comment_to_applicant") or "",
            comment_to_panel=review.get("comment_to_panel") or "",
        )
    assignment = _locked_assignment(assignment)
    run_transition(instance=assignment, name="submit_review", actor=actor, note=note)
    # The rubric may have changed since the draft was saved: check the stored scores against
    # it and store the weighted score as it stands now.
    review = Review.objects.get(assignment=assignment)
    criteria = list(assignment.proposal.round.criteria.all())
    values = dict(review.scores.values_list("criterion_id", "value"))
    too_high = [f"“{c.name}”: the score must be a whole number from 1 to {c.max_score}; "
                f"{values[c.pk]} is not. Change it and submit again."
                for c in criteria if not 1 <= values[c.pk] <= c.max_score]
    if too_high:
        raise ValidationError({"scores": too_high})
    Review.objects.filter(pk=review.pk).update(
        submitted_at=timezone.now(),
        weighted_score=weighted_score((c, values[c.pk]) for c in criteria),
    )
    return assignment


@transaction.atomic
def assignment_declare_conflict(*, assignment: Assignment, actor, note: str = "",
                                reason: str = "") -> Assignment:
    """The reviewer declares a conflict of interest, with a reason; the assignment then takes
    no review and the chair finds another reviewer."""
    assignment = _locked_assignment(assignment)
    if not transition_allowed_in_state(assignment, "declare_conflict"):
        raise TransitionStateConflict(assignment, "declare_conflict")
    if not may_run(assignment, "declare_conflict", actor):
        raise PermissionDenied("Only the assigned reviewer may declare a conflict.")
    reason = _required(reason or note, "reason", "Say what the conflict of interest is.")
    run_transition(instance=assignment, name="declare_conflict", actor=actor, note=reason,
                   reason=reason)
    return assignment


ASSIGNMENT_TRANSITIONS = {
    "submit_review": assignment_submit_review,
    "declare_conflict": assignment_declare_conflict,
}


# --- the panel's decisions on proposals ----------------------------------------------------
def _decide(proposal: Proposal, actor, name: str, rationale: str) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_transition(proposal, name, actor)
    _refuse_if_archived(proposal.round)
    errors = condition_errors(proposal, name)
    if not (rationale or "").strip():
        errors["rationale"] = ["Give the panel's rationale for the decision."]
    if errors:
        raise ValidationError(errors)
    run_transition(instance=proposal, name=name, actor=actor, note=rationale.strip())
    return proposal


@transaction.atomic
def proposal_recommend(*, proposal: Proposal, actor, note: str = "",
                       rationale: str = "") -> Proposal:
    """The chair recommends a proposal for funding once `reviews_required` reviews are
    submitted, always with the panel's rationale."""
    return _decide(proposal, actor, "recommend", rationale or note)


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor, note: str = "", rationale: str = "") -> Proposal:
    """The chair rejects a proposal on the same quorum, always with the panel's rationale."""
    return _decide(proposal, actor, "reject", rationale or note)

