"""The home page and the landing page, assembled section by section from the apps' own
selectors (SCREENS.md, "What each person sees"); the sections themselves are in home.py."""

from .home import chair_panel_ids, what_may_wait  # noqa: F401  (the home view and the navigation ask here)

LANDING_ROUNDS = 6


# --- the home page ------------------------------------------------------------------------
# Each dashboard section is a bounded list (the first few) and, where useful, a count:
# the page runs the same number of queries however much work is waiting (portal/home.py).


def _with_days_left(rounds):
    from fund.selectors import days_left

    for round_ in rounds:
        round_.days_left = days_left(round_)
    return rounds


def dashboard_for(*, user, chair_panels: frozenset | None = None,
                  may: dict | None = None) -> dict:
    """What the signed-in `user` sees at home: what needs them now, then what they follow.

    `may`: `home.what_may_wait(user)` when the caller asked it already.

    Every section for the user's roles is computed whether or not it has items, so the
    number of queries depends on who the user is and on which of their own sections may have
    anything (`home.what_may_wait`), never on how much is waiting.
    """
    from django.utils import timezone

    from fund.models import Round
    from fund.selectors import rounds_open
    from proposals.models import Proposal

    from . import home
    from .home_invitations import invitations_section

    today = timezone.localdate()
    # The sections every home carries are asked only when the person may have rows in them
    # (`home.what_may_wait`: one query; a section it skips is one its rule leaves empty).
    may = home.what_may_wait(user) if may is None else may
    states = (Proposal.State.REVISION_REQUESTED, Proposal.State.DRAFT)
    if may["own_open"]:
        mine = home.my_proposals_by_state(user, states)
    else:
        mine = {state: {"items": [], "more": False} for state in states}
    sections = {
        "awaiting_answer": mine[Proposal.State.REVISION_REQUESTED],
        "outcome_due": home.listed_section(
            home.outcome_reports_due_for(user=user, today=today) if may["own_funded"] else []),
        "milestones_due": (home.counted_section(home.milestone_reports_due_for(user=user))
                           if may["own_released"] else home.empty_section()),
        "drafts": mine[Proposal.State.DRAFT],
        "open_rounds": home.section(rounds_open().order_by("closes_at")),
        "notifications": (home.recent_notifications_for(user=user) if may["notified"]
                          else {"items": [], "more": False}),
        "invitations": invitations_section(user, may_wait=may["invited"]),
    }
    sections["open_rounds"]["items"] = _with_days_left(sections["open_rounds"]["items"])
    if may["assigned"]:
        sections.update(home.reviewer_sections(user=user, today=today))
    else:
        sections.update({key: home.empty_section()
                         for key in ("reviews_due", "conflicts_to_declare")})
    sections.update(home.chair_sections(user=user, panel_ids=chair_panels,
                                        has_duty=may["chairs"]))
    if user.is_fund_manager:
        sections.update(home.fund_manager_sections(user=user, today=today))
        # Open rounds whose closing time has passed wait for the manager (or the nightly job).
        sections["rounds_to_close"] = home.section(
            Round.objects.filter(state=Round.State.OPEN, closes_at__lte=timezone.now())
            .select_related("fund")
            .order_by("closes_at")
        )
        sections["draft_rounds"] = home.section(
            Round.objects.filter(state=Round.State.DRAFT).select_related("fund").order_by("opens_at")
        )
    if user.is_fund_manager or user.is_superuser:
        sections["stalled"] = home.stalled_section(user=user)
    if user.is_fund_manager or user.is_hr_officer:
        from rewards.selectors import nominations_awaiting

        # Fund managers endorse `nominated` ones, HR officers decide `endorsed` ones; the oldest
        # has waited longest. Never the viewer's own nomination (the selector leaves it out).
        sections["nominations"] = home.counted_section(
            nominations_awaiting(user=user).order_by("created_at", "id")
        )
    return sections


def landing() -> dict:
    """What anyone sees before signing in: open rounds, public learnings, funded projects."""
    from fund.selectors import rounds_open

    from . import home

    return {
        "open_rounds": _with_days_left(list(rounds_open().order_by("closes_at")[:LANDING_ROUNDS])),
        "public_learnings": home.public_learnings(),
        "funded_projects": home.funded_projects(),
    }
