from django.db.models import Q, QuerySet

from .models import Proposal, TeamMember


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """The proposals `user` may see: the same rule as `can_view_proposal`."""
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    from reviews.models import Assignment, Panel

    mine = Q(lead=user) | Q(pk__in=TeamMember.objects.filter(user=user).values("proposal"))
    visible = mine
    if user.is_fund_manager or user.is_hr_officer:
        visible |= ~Q(state=Proposal.State.DRAFT)
    else:
        assigned = Assignment.objects.filter(reviewer=user).exclude(state=Assignment.State.CONFLICT)
        chaired_rounds = Panel.objects.filter(chair=user).values("round")
        visible |= Q(pk__in=assigned.values("proposal"))
        visible |= Q(round__in=chaired_rounds) & ~Q(
            state__in=[Proposal.State.DRAFT, Proposal.State.SUBMITTED, Proposal.State.INELIGIBLE]
        )
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
