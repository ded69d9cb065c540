from django.db.models import QuerySet

from .models import Agency, User


def agencies_active() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True)


def people_list(*, filters: dict | None = None) -> QuerySet[User]:
    filters = filters or {}
    qs = User.objects.filter(is_active=True).select_related("agency")
    if filters.get("agency"):
        qs = qs.filter(agency_id=filters["agency"])
    if filters.get("position_level"):
        qs = qs.filter(position_level=filters["position_level"])
    if filters.get("q"):
        from django.db.models import Q

        q = filters["q"]
        qs = qs.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(username__icontains=q)
            | Q(employee_id__icontains=q)
        )
    return qs


# --- the home page ------------------------------------------------------------------------
# Each dashboard section is a bounded list (the first few) and, where useful, a count:
# the page runs the same number of queries however much work is waiting.

DASHBOARD_LIMIT = 5


def _section(qs, limit: int = DASHBOARD_LIMIT) -> dict:
    items = list(qs[: limit + 1])
    return {"items": items[:limit], "more": len(items) > limit}


def _counted_section(qs, limit: int = DASHBOARD_LIMIT) -> dict:
    return {"items": list(qs[:limit]), "count": qs.count()}


def _with_days_left(rounds):
    from fund.selectors import days_left

    for round_ in rounds:
        round_.days_left = days_left(round_)
    return rounds


def dashboard_for(*, user) -> dict:
    """What the signed-in `user` sees at home: what needs them now, then what they follow."""
    from django.utils import timezone

    from fund.models import Round
    from fund.selectors import rounds_open
    from proposals.models import Proposal
    from proposals.selectors import my_proposals, proposal_list

    mine = my_proposals(user=user)
    sections = {
        "awaiting_answer": _section(
            mine.filter(state=Proposal.State.REVISION_REQUESTED).order_by("-updated_at")
        ),
        "drafts": _section(mine.filter(state=Proposal.State.DRAFT).order_by("-updated_at")),
        "open_rounds": _section(rounds_open().order_by("closes_at")),
    }
    sections["open_rounds"]["items"] = _with_days_left(sections["open_rounds"]["items"])
    if user.is_fund_manager:
        to_screen = proposal_list(
            viewer=user, filters={"state": Proposal.State.SUBMITTED}
        ).order_by("submitted_at", "id")
        sections["to_screen"] = _counted_section(to_screen)
        # Open rounds whose closing time has passed wait for the manager (or the nightly job).
        sections["rounds_to_close"] = _section(
            Round.objects.filter(state=Round.State.OPEN, closes_at__lte=timezone.now())
            .select_related("fund")
            .order_by("closes_at")
        )
        sections["draft_rounds"] = _section(
            Round.objects.filter(state=Round.State.DRAFT).select_related("fund").order_by("opens_at")
        )
    if user.is_fund_manager or user.is_hr_officer:
        from rewards.selectors import nominations_awaiting

        # Fund managers endorse `nominated` ones, HR officers decide `endorsed` ones; the oldest
        # has waited longest. Never the viewer's own nomination (the selector leaves it out).
        sections["nominations"] = _counted_section(
            nominations_awaiting(user=user).order_by("created_at", "id")
        )
    return sections
