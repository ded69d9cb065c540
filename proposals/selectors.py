from django.db.models import BigAutoField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

from workflow.services import available_transitions

from .models import Proposal, TeamMember


@BigAutoField.register_lookup
class InIds(In):
    """`pk__in_ids=<subquery>`: `IN (subquery)`, and on PostgreSQL `= ANY(ARRAY(subquery))`.
    The id list is then read once before the outer query is planned, so the planner fetches
    those rows by primary key instead of guessing from statistics how many a person's union
    of paths yields (a guess of thousands made it hash-join every proposal for a reviewer
    who sees 44). Same rows either way."""

    lookup_name = "in_ids"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)

# Never submitted: a draft, or a draft its lead withdrew. Only the lead and team see these,
# and only the person themself on their innovation record (rewards.selectors).
NEVER_SUBMITTED = Q(state=Proposal.State.DRAFT) | Q(
    state=Proposal.State.WITHDRAWN, submitted_at__isnull=True
)
# States a proposal reaches only after a fund manager sent it to a panel.
REVIEWED_STATES = (
    Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED,
    Proposal.State.REJECTED, Proposal.State.FUNDED, Proposal.State.DECLINED,
    Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)


def _sent_to_review() -> Q:
    """Proposals that went to a panel (so a withdrawn one the chair had seen stays visible)."""
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import TransitionLog

    # EXISTS per withdrawn row, on the log's (content_type, object_id, at) index: never a read
    # of every proposal's history.
    logged = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), object_id=OuterRef("pk"),
        transition="send_to_review",
    )
    return Q(state__in=REVIEWED_STATES) | (Q(state=Proposal.State.WITHDRAWN) & Exists(logged))


def _agency_conflict(user) -> Q:
    """Proposals whose lead's agency or partner agencies include the user's agency."""
    if not user.agency_id:
        return Q(pk__in=[])
    partnered = Proposal.partner_agencies.through.objects.filter(agency_id=user.agency_id)
    return Q(lead__agency_id=user.agency_id) | Q(pk__in=partnered.values("proposal_id"))


def _joined_by(user) -> Q:
    """Proposals `user` leads or is an accepted member of: theirs, with a member's rights."""
    accepted = TeamMember.objects.accepted().filter(user=user)
    return Q(lead=user) | Q(pk__in=accepted.values("proposal"))


def _invited_to(user) -> Q:
    """Proposals whose team `user` is invited to and has not answered yet."""
    invited = TeamMember.objects.filter(user=user, state=TeamMember.State.INVITED)
    return Q(pk__in=invited.values("proposal"))


def _ids(queryset) -> QuerySet:
    return queryset.order_by().values("pk" if queryset.model is Proposal else "proposal_id")


def visible_proposal_ids(user) -> QuerySet:
    """The ids of the proposals `user` may see through their own part in them (lead, team,
    invitation, assignment, chair or stand-in), one indexed subquery per path joined by
    UNION ALL: the work is what the person takes part in, never the whole table. Fund
    managers and HR officers see every submitted proposal besides (`proposals_visible_to`)."""
    # reviews/ sits above proposals/: its assignments, panels and stand-ins are reached through
    # the relations it names on the user (related_name), never by importing its models.
    assignments = user.assignments
    assigned = assignments.exclude(state=assignments.model.State.CONFLICT)
    chaired_rounds = user.panels_chaired.model.objects.filter(
        Q(chair=user) | Q(deputy_chair=user)).values("round")
    stood_in = user.stand_in_duties.values("proposal")
    paths = [
        Proposal.objects.filter(lead=user),
        TeamMember.objects.filter(user=user, state__in=(TeamMember.State.ACCEPTED,
                                                        TeamMember.State.INVITED)),
        # Reviewers: what they are assigned and have not declared a conflict on.
        Proposal.objects.filter(Q(pk__in=assigned.values("proposal")) & ~NEVER_SUBMITTED),
        # Chairs and deputy chairs: their round's proposals sent to review; stand-in chairs:
        # the proposal they stand in for. Never across a conflict.
        Proposal.objects.filter(Q(round__in=chaired_rounds) & _sent_to_review()
                                & ~_agency_conflict(user)),
        Proposal.objects.filter(Q(pk__in=stood_in) & _sent_to_review() & ~_agency_conflict(user)),
    ]
    first, *rest = (_ids(path) for path in paths)
    return first.union(*rest)


def proposals_visible_to(user, *, built_once: bool = False) -> QuerySet[Proposal]:
    """The proposals `user` may see: the same rule as `can_view_proposal`.

    Lead and accepted team: always; an open invitation: while it is open (to decide). Fund
    managers and HR officers: once submitted (a draft the lead withdrew was never submitted
    and stays private). Reviewers: what they are assigned and
    have not declared a conflict on. Panel chairs: what went to review in their round,
    unless their agency leads or partners it (a role never widens access across a conflict).

    The person's own paths are a UNION of indexed id subqueries (`visible_proposal_ids`), so
    a list of what a reviewer or lead may see reads their rows, not every proposal's.
    `built_once`: that UNION's SQL built once per process for each kind of person
    (`proposals.compiled`: building it was a good part of the API list's time), the same SQL.
    """
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    if built_once:  # the same SQL, built once per process for this kind of person
        visible = Q(pk__in_ids=RawSQL(*_visible_ids_sql(user)))
    else:
        visible = Q(pk__in_ids=visible_proposal_ids(user))
    if user.is_fund_manager or user.is_hr_officer:
        visible |= ~NEVER_SUBMITTED
    return Proposal.objects.filter(visible)


def _visible_ids_sql(user) -> tuple[str, list]:
    """The SQL of `visible_proposal_ids(user)`, built once per process (`proposals.compiled`)."""
    from .compiled import compiled, person_from, person_values, shape

    return compiled(("visible-proposal-ids", *shape(user)),
                    lambda *marks: visible_proposal_ids(person_from(user, marks)),
                    person_values(user))


def submitted_proposals_visible_to(user) -> QuerySet[Proposal]:
    """`proposals_visible_to(user).exclude(NEVER_SUBMITTED)`, the same rows: the submitted
    proposals `user` may see. Fund managers and HR officers see every submitted one, so their
    rows are filtered on the state alone, without the union of their own paths, which adds
    only never-submitted drafts of their own (issue 16: the lists of every proposal)."""
    if (user and user.is_authenticated and user.is_active
            and (user.is_fund_manager or user.is_hr_officer)):
        return Proposal.objects.exclude(NEVER_SUBMITTED)
    return proposals_visible_to(user).exclude(NEVER_SUBMITTED)


def proposal_list(*, viewer, filters: dict | None = None) -> QuerySet[Proposal]:
    filters = filters or {}
    qs = proposals_visible_to(viewer).select_related("round", "round__fund", "lead", "lead__agency")
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("round"):
        qs = qs.filter(round_id=filters["round"])
    if filters.get("agency"):
        qs = qs.filter(Q(lead__agency_id=filters["agency"]) | Q(partner_agencies=filters["agency"])).distinct()
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(summary__icontains=filters["q"]))
    return qs


def my_proposals(*, user) -> QuerySet[Proposal]:
    """Proposals `user` leads or accepted to join (invitations are listed apart)."""
    return Proposal.objects.filter(_joined_by(user)).select_related("round", "lead")


def proposal_detail_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "round", "round__fund", "lead", "lead__agency"
    ).prefetch_related("team__user__agency", "partner_agencies", "budget_lines", "attachments")


# What a person may do to a team row from the proposal's page and the API (the transitions
# `services.team.TEAM_MEMBER_TRANSITIONS` runs by name); `invite` is the lead's form, apart.
TEAM_ACTIONS = ("accept", "decline", "leave", "remove")


def team_actions(member: TeamMember, user) -> list[str]:
    """The transitions `user` may run on `member` now: the state machine's permissions, and
    the lead's only while the team may change (so no button is offered that would refuse)."""
    names = [n for n in available_transitions(member, user) if n in TEAM_ACTIONS]
    if member.proposal.state not in Proposal.EDITABLE_STATES:
        names = [n for n in names if n not in ("remove", "accept")]
    return names


def team_as_seen_by(proposal: Proposal, user) -> list[dict]:
    """The team rows `user` sees on the proposal's page, each with the actions they may take
    on it now: everyone sees the accepted members; the lead sees every row with its state
    (invitations, declines, departures); a person sees their own row (an invitation to
    answer, a membership to leave). Uses the prefetched `team`."""
    lead = bool(user and user.is_authenticated and proposal.lead_id == user.pk)
    rows = []
    for member in proposal.team.all():
        own = bool(user and user.is_authenticated and member.user_id == user.pk)
        if not (lead or own or member.state == TeamMember.State.ACCEPTED):
            continue
        rows.append({"member": member, "show_state": lead or own,
                     "actions": team_actions(member, user) if (lead or own) else []})
    return rows


def team_members_visible_to(user) -> QuerySet[TeamMember]:
    """Team rows `user` may read through `team-members/`: their own invitations and
    memberships, and every row of the proposals they lead."""
    if not (user and user.is_authenticated and user.is_active):
        return TeamMember.objects.none()
    # A UNION of two indexed id lists (their rows; the rows of the proposals they lead), not
    # an OR across the join that reads every team row.
    own = TeamMember.objects.filter(user=user).order_by().values("pk")
    led = TeamMember.objects.filter(
        proposal__in=Proposal.objects.filter(lead=user).order_by().values("pk")
    ).order_by().values("pk")
    return TeamMember.objects.filter(pk__in_ids=own.union(led))


def open_invitations_for(user) -> QuerySet[TeamMember]:
    """Invitations to join a team that `user` can still answer (the proposal is a draft or a
    revision is requested)."""
    return TeamMember.objects.filter(
        user=user, state=TeamMember.State.INVITED, proposal__state__in=Proposal.EDITABLE_STATES
    )
