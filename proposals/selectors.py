from django.db.models import Q, QuerySet

from .models import Proposal, TeamMember

# Never submitted: a draft, or a draft its lead withdrew. Only the lead and team see these.
_NEVER_SUBMITTED = Q(state=Proposal.State.DRAFT) | Q(
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

    logged = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), transition="send_to_review"
    ).values("object_id")
    return Q(state__in=REVIEWED_STATES) | Q(state=Proposal.State.WITHDRAWN, pk__in=logged)


def _agency_conflict(user) -> Q:
    """Proposals whose lead's agency or partner agencies include the user's agency."""
    if not user.agency_id:
        return Q(pk__in=[])
    partnered = Proposal.partner_agencies.through.objects.filter(agency_id=user.agency_id)
    return Q(lead__agency_id=user.agency_id) | Q(pk__in=partnered.values("proposal_id"))


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """The proposals `user` may see: the same rule as `can_view_proposal`.

    Lead and team: always. Fund managers and HR officers: once submitted (a draft the lead
    withdrew was never submitted and stays private). Reviewers: what they are assigned and
    have not declared a conflict on. Panel chairs: what went to review in their round,
    unless their agency leads or partners it (a role never widens access across a conflict).
    """
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    from reviews.models import Assignment, Panel

    mine = Q(lead=user) | Q(pk__in=TeamMember.objects.filter(user=user).values("proposal"))
    visible = mine
    if user.is_fund_manager or user.is_hr_officer:
        visible |= ~_NEVER_SUBMITTED
    assigned = Assignment.objects.filter(reviewer=user).exclude(state=Assignment.State.CONFLICT)
    visible |= Q(pk__in=assigned.values("proposal")) & ~_NEVER_SUBMITTED
    chaired_rounds = Panel.objects.filter(chair=user).values("round")
    visible |= Q(round__in=chaired_rounds) & _sent_to_review() & ~_agency_conflict(user)
    return Proposal.objects.filter(visible)


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
    return (
        Proposal.objects.filter(
            Q(lead=user) | Q(pk__in=TeamMember.objects.filter(user=user).values("proposal"))
        )
        .select_related("round", "lead")
    )


def proposal_detail_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "round", "round__fund", "lead", "lead__agency"
    ).prefetch_related("team__user__agency", "partner_agencies", "budget_lines", "attachments")
