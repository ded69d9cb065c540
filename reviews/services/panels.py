"""Panels: who chairs, deputises and sits on them; stand-in chairs; moving a proposal to
another panel of its round."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from fund.models import Round
from people.models import User
from proposals.conflicts import conflict_reason
from proposals.models import Proposal

from ..chairs import refresh_acting_chairs
from ..models import Assignment, Panel
from ..permissions import can_set_up_panel
from ..planning import panel_agency_problem
from .common import ARCHIVED, _refuse_if_archived, _required  # noqa: F401

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


def panel_people_notes(round_: Round, people) -> dict[int, dict]:
    """For the panel form, in plain words and at a fixed number of queries: for each of
    `people` (with `agency` selected) why they may not sit on the panel (`member`, the rule of
    `panel_problems`), why they may not chair or deputise (`chair`, `chair_duty_problem`'s
    rule), and with how many of the round's submitted proposals they have a conflict of
    interest (`conflicts`, `proposals.conflicts.conflict_reason`: they may not review those).
    Drafts are left out: nobody setting up a panel may see them."""
    from proposals.models import TeamMember

    people = list(people)
    groups = {}
    for user_id, name in User.groups.through.objects.filter(
            user_id__in=[p.pk for p in people]).values_list("user_id", "group__name"):
        groups.setdefault(user_id, set()).add(name)
    for person in people:
        person.__dict__["_group_names"] = groups.get(person.pk, set())
    proposals = list(
        Proposal.objects.filter(round=round_, submitted_at__isnull=False)
        .exclude(state=Proposal.State.DRAFT).select_related("lead")
        .prefetch_related("team", "partner_agencies")
    )
    submitted_by = {p.lead_id for p in proposals} | {
        m.user_id for p in proposals for m in p.team.all()
        if m.state == TeamMember.State.ACCEPTED}
    notes = {}
    for person in people:
        member = _person_problem(person)
        if member:
            chair = member
        elif person.agency_id is None:
            chair = f"{person} belongs to no agency; a panel's chair must belong to one."
        elif person.pk in submitted_by:
            chair = (f"{person} has a proposal submitted in this round, so cannot chair or "
                     f"deputise on its panel.")
        else:
            chair = ""
        notes[person.pk] = {
            "member": member, "chair": chair,
            "conflicts": sum(1 for p in proposals if conflict_reason(person, p)),
            "proposals": len(proposals),
        }
    return notes


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
        raise PermissionDenied(gettext("Only fund managers may set up review panels."))
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
        raise PermissionDenied(gettext("Only fund managers may change review panels."))
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
    from ..chairs import declared_conflict, proposal_panel
    from ..models import PanelStandIn

    if not can_set_up_panel(actor):
        raise PermissionDenied(gettext("Only fund managers name stand-in chairs."))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if conflict_reason(actor, proposal):
        raise PermissionDenied(gettext("You have a conflict of interest with this proposal; "
                                       "another fund manager names its stand-in chair."))
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
    elif declared_conflict(chair, proposal):
        errors["chair"] = [f"{chair} declared a conflict of interest with this proposal."]
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
        raise PermissionDenied(gettext("Only fund managers move proposals between panels."))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if conflict_reason(actor, proposal):
        raise PermissionDenied(gettext("You have a conflict of interest with this proposal; "
                                       "another fund manager moves it."))
    if panel.round_id != proposal.round_id:
        raise ValidationError({"panel": [gettext("Choose a panel of the proposal's round.")]})
    if proposal.assignments.filter(state=Assignment.State.SUBMITTED).exists():
        raise ValidationError({"panel": [gettext("A review of this proposal is submitted; it "
                                                 "stays with its panel.")]})
    Proposal.objects.filter(pk=proposal.pk).update(panel=panel)
    refresh_acting_chairs([proposal.pk])  # update() sends no signal
    proposal.panel = panel
    return proposal
