"""Assigning reviewers: one by one or by the suggested plan, never across a conflict."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from fund.models import Round
from people.models import User
from proposals.conflicts import conflict_reason
from proposals.models import Proposal

from ..models import Assignment, Panel
from ..permissions import can_assign, can_manage_panel
from ..planning import build_plan, panel_agency_problem
from .common import ARCHIVED, _refuse_if_archived, _required  # noqa: F401

# --- assignments ------------------------------------------------------------------------------
FLAGGED_PREFIX = "A conflict of interest arose after assignment"
NOT_ASSIGNABLE = gettext_lazy("Choose a proposal in review that this panel reviews.")


def _acting_refusal(actor, proposal: Proposal) -> str:
    from ..chairs import who_acts_instead

    if conflict_reason(actor, proposal):
        return (gettext("You have a conflict of interest with this proposal; a fund manager "
                        "without one or its acting chair assigns its reviewers. ")
                + who_acts_instead(proposal))
    return (gettext("Only this proposal's acting chair or a fund manager may assign its "
                    "reviewers. ") + who_acts_instead(proposal))


def assignment_problems(*, actor, proposal: Proposal, reviewer: User, panel: Panel,
                        due_on) -> dict[str, list[str]]:
    """Every reason this assignment may not be made (empty when it may). The one check behind
    the pages, the API, the admin and any import. A proposal the actor may not see, or that
    another panel reviews, is refused in words that do not describe it."""
    from proposals.permissions import can_view_proposal

    from ..chairs import proposal_panel

    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if proposal.round_id != panel.round_id or proposal_panel(proposal) != panel:
        return {"proposal": [NOT_ASSIGNABLE]}
    if actor is not None and not actor.is_superuser and not can_view_proposal(actor, proposal):
        from ..permissions import has_chair_duty

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
        raise PermissionDenied(gettext("Only the panel's chairs or a fund manager may assign "
                                       "reviewers."))
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
            {"reviewer": gettext("%(reviewer)s is already assigned to this proposal.") % {
                "reviewer": reviewer}}
        ) from None


def assignment_plan(*, panel: Panel, actor):
    """The proposed assignments for the panel's round (see reviews.planning)."""
    if not can_manage_panel(actor, panel):
        raise PermissionDenied(gettext("Only the panel's chairs or a fund manager may plan "
                                       "assignments."))
    return build_plan(panel, viewer=actor)


@transaction.atomic
def assignment_plan_accept(*, actor, panel: Panel, pairs, due_on) -> list[Assignment]:
    """Make the (possibly adjusted) plan's assignments: all of them or, if one is refused,
    none, with every refusal named."""
    if not can_manage_panel(actor, panel):
        raise PermissionDenied(gettext("Only the panel's chair or a fund manager may assign "
                                       "reviewers."))
    pairs = list(dict.fromkeys((int(p), int(r)) for p, r in pairs))
    if not pairs:
        raise ValidationError({"pairs": gettext("Choose at least one assignment to make.")})
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
