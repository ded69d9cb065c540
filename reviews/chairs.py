"""Who acts as a proposal's panel chair, and which proposals stall without one.

DOMAIN.md (reviews/, "Integrity rules"): for each proposal the *acting chair* is the first of
the panel's chair, its deputy chair and a stand-in named by a fund manager for that proposal
who has no conflict of interest with it. The acting chair alone (besides unconflicted fund
managers) assigns reviewers to it, requests a revision, recommends and rejects. A duty lapses
by itself when its holder becomes conflicted: nothing here is stored but the stand-in's name.

A proposal under review with no acting chair, or whose panel has fewer eligible, unconflicted
members than the reviews it still needs, is *stalled*: `stalled_proposals` lists it, with what
it needs, for every unconflicted fund manager (and for administrators when every fund manager
is conflicted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext, gettext_lazy, ngettext

from people.models import User
from proposals.conflicts import has_conflict
from proposals.models import Proposal

from .models import Assignment, Panel, PanelStandIn

# States in which a proposal belongs to a panel and may need its chair.
UNDER_REVIEW = (Proposal.State.SUBMITTED, Proposal.State.IN_REVIEW,
                Proposal.State.REVISION_REQUESTED)
PANEL_STATES = (Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED)
ACTIVE_ASSIGNMENT = (Assignment.State.ASSIGNED, Assignment.State.SUBMITTED)


def _eligible_person(user) -> bool:
    return bool(user is not None and user.is_active and not user.is_hr_officer)


def proposal_panel(proposal: Proposal) -> Panel | None:
    """The panel a proposal belongs to: `Proposal.panel`, else its round's only panel."""
    if proposal.panel_id:
        return proposal.panel
    panels = list(proposal.round.panels.all())
    return panels[0] if len(panels) == 1 else None


def _latest_stand_in(panel: Panel, proposal: Proposal) -> PanelStandIn | None:
    cached = getattr(proposal, "_prefetched_objects_cache", {}).get("stand_in_chairs")
    if cached is not None:
        named = [s for s in cached if s.panel_id == panel.pk]
        return max(named, key=lambda s: (s.named_at, s.pk)) if named else None
    return (PanelStandIn.objects.filter(panel=panel, proposal=proposal)
            .select_related("chair__agency").order_by("-named_at", "-id").first())


def chair_candidates(proposal: Proposal, panel: Panel | None = None) -> list[tuple[str, User]]:
    """(duty, person) in the order DOMAIN.md gives: chair, deputy chair, latest stand-in."""
    panel = panel or proposal_panel(proposal)
    if panel is None:
        return []
    candidates = [("chair", panel.chair)]
    if panel.deputy_chair_id:
        candidates.append(("deputy chair", panel.deputy_chair))
    stand_in = _latest_stand_in(panel, proposal)
    if stand_in is not None:
        candidates.append(("stand-in chair", stand_in.chair))
    return candidates


def declared_conflict(person: User, proposal: Proposal) -> bool:
    """Whether `person` declared a conflict of interest on their own assignment to review
    `proposal` (`Assignment.State.CONFLICT`): a conflict they told us of, which the rule of
    `proposals.conflicts` cannot see. It blocks a chair's duty as that rule's conflicts do.
    Uses the proposal's prefetched `assignments` when present, else one query."""
    cached = getattr(proposal, "_prefetched_objects_cache", {}).get("assignments")
    if cached is not None:
        return any(a.reviewer_id == person.pk and a.state == Assignment.State.CONFLICT
                   for a in cached)
    return Assignment.objects.filter(proposal=proposal, reviewer=person,
                                     state=Assignment.State.CONFLICT).exists()


def _may_chair(person: User | None, proposal: Proposal) -> bool:
    return (_eligible_person(person) and not has_conflict(person, proposal)
            and not declared_conflict(person, proposal))


def acting_chair(proposal: Proposal, panel: Panel | None = None) -> User | None:
    """The first of chair, deputy chair and stand-in with no conflict with `proposal` (the
    rule's, or one they declared on their own assignment), or None."""
    for _, person in chair_candidates(proposal, panel):
        if _may_chair(person, proposal):
            return person
    return None


def is_acting_chair(user, proposal: Proposal) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    chair = acting_chair(proposal)
    return chair is not None and chair.pk == user.pk


def holds_chair_duty_in_round(user, round_) -> bool:
    """Chair, deputy chair or stand-in of a panel of `round_` (conflicted or not)."""
    if not (user and user.is_authenticated):
        return False
    return Panel.objects.filter(
        Q(round=round_) & (Q(chair=user) | Q(deputy_chair=user) | Q(stand_ins__chair=user))
    ).exists()


def panels_with_chair_duty(user):
    """Panels where `user` is chair, deputy chair or a stand-in for some proposal."""
    return Panel.objects.filter(
        Q(chair=user) | Q(deputy_chair=user) | Q(stand_ins__chair=user)
    ).distinct()


def who_acts_instead(proposal: Proposal) -> str:
    """A sentence for a refused chair: who may act on this proposal instead (by duty)."""
    chair = acting_chair(proposal)
    if chair is None:
        return gettext("A fund manager must name a stand-in chair for this proposal.")
    for duty, person in chair_candidates(proposal):
        if person.pk == chair.pk:
            return ACTS_ON_IT[duty] % {"person": chair}
    return ""


# The sentence naming who acts, by duty (the keys of `chair_candidates`).
ACTS_ON_IT = {
    "chair": gettext_lazy("The panel's chair, %(person)s, acts on this proposal."),
    "deputy chair": gettext_lazy("The panel's deputy chair, %(person)s, acts on this proposal."),
    "stand-in chair": gettext_lazy(
        "The panel's stand-in chair, %(person)s, acts on this proposal."),
}


# --- proposals that stall --------------------------------------------------------------------
@dataclass
class Stall:
    """A proposal under review that cannot move on by itself, and what it needs."""

    proposal: Proposal
    panel: Panel | None
    needs: list[str] = field(default_factory=list)
    needs_stand_in: bool = False
    needs_members: int = 0
    candidates: list[User] = field(default_factory=list)  # who could stand in


def _with_review_context(qs):
    return qs.select_related(
        "round", "lead__agency", "panel__chair__agency", "panel__deputy_chair__agency",
    ).prefetch_related(
        "team", "partner_agencies",
        Prefetch("round__panels", Panel.objects.select_related(
            "chair__agency", "deputy_chair__agency").prefetch_related("members__agency")),
        Prefetch("panel__members", User.objects.select_related("agency")),
        Prefetch("stand_in_chairs", PanelStandIn.objects.select_related("chair__agency")),
        Prefetch("assignments", Assignment.objects.only(
            "id", "proposal_id", "reviewer_id", "state")),
    )


def stall_of(proposal: Proposal) -> Stall | None:
    """What `proposal` needs to move on (None when nothing): a panel, an acting chair, or
    more eligible unconflicted panel members than the reviews it still needs."""
    panel = proposal_panel(proposal)
    if panel is None:
        if proposal.state in PANEL_STATES:
            return Stall(proposal=proposal, panel=None,
                         needs=[gettext("Choose the panel that reviews it.")])
        return None
    stall = Stall(proposal=proposal, panel=panel)
    members = list(panel.members.all())
    assignments = list(proposal.assignments.all())
    assigned = {a.reviewer_id for a in assignments}
    if proposal.state in PANEL_STATES and acting_chair(proposal, panel) is None:
        stall.needs_stand_in = True
        stall.candidates = [m for m in members if _may_chair(m, proposal)]
        stall.needs.append(gettext("Name a stand-in chair: the chair and deputy chair have a "
                                   "conflict of interest with it."))
    if proposal.state == Proposal.State.IN_REVIEW:
        active = sum(1 for a in assignments if a.state in ACTIVE_ASSIGNMENT)
        still_needed = max(0, proposal.round.reviews_required - active)
        free = [m for m in members if m.pk not in assigned and _eligible_person(m)
                and not has_conflict(m, proposal)]
        if len(free) < still_needed:
            stall.needs_members = still_needed - len(free)
            # English keeps its "(s)"; a language with plural forms follows the members missing.
            stall.needs.append(ngettext(
                "Add %(members)d panel member(s) without a conflict of interest: it still "
                "needs %(needed)d review(s) and %(free)d member(s) can give one.",
                "Add %(members)d panel member(s) without a conflict of interest: it still "
                "needs %(needed)d review(s) and %(free)d member(s) can give one.",
                stall.needs_members,
            ) % {"members": stall.needs_members, "needed": still_needed, "free": len(free)})
    return stall if stall.needs else None


def stalled_proposals(*, viewer, limit: int | None = None) -> list[Stall]:
    """Stalled proposals that `viewer` may unblock: an unconflicted fund manager; or an
    administrator, for proposals with which every fund manager is conflicted."""
    if not (viewer and viewer.is_authenticated and viewer.is_active):
        return []
    if not (viewer.is_fund_manager or viewer.is_superuser):
        return []
    qs = _with_review_context(
        Proposal.objects.filter(state__in=PANEL_STATES).order_by("submitted_at", "pk")
    )
    managers = None
    if not viewer.is_fund_manager:
        from people.models import FUND_MANAGERS

        managers = list(User.objects.filter(groups__name=FUND_MANAGERS, is_active=True)
                        .select_related("agency"))
    found = []
    for proposal in qs:
        if viewer.is_fund_manager and has_conflict(viewer, proposal):
            continue
        if managers is not None and any(not has_conflict(m, proposal) for m in managers):
            continue  # a fund manager can act: administrators are not needed
        stall = stall_of(proposal)
        if stall is not None:
            found.append(stall)
            if limit and len(found) >= limit:
                break
    return found


def proposals_where_acting_chair(user, *, states=PANEL_STATES):
    """Proposals (with review context prefetched) for which `user` is the acting chair."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    panels = panels_with_chair_duty(user).values("pk")
    qs = _with_review_context(
        Proposal.objects.filter(state__in=states).filter(
            Q(panel__in=panels) | Q(panel__isnull=True, round__panels__in=panels)
        ).distinct().order_by("submitted_at", "pk")
    )
    return [p for p in qs if (chair := acting_chair(p)) is not None and chair.pk == user.pk]


# --- steps with no unconflicted fund manager (for administrators) ------------------------------
MONEY_STEPS = {
    Proposal.State.SUBMITTED: gettext_lazy("screen it or send it to review"),
    Proposal.State.RECOMMENDED: gettext_lazy("fund or decline it"),
    Proposal.State.FUNDED: gettext_lazy("release or cancel its tranches"),
    Proposal.State.OUTCOME_REPORTED: gettext_lazy("accept its outcome report and close it"),
}


def steps_without_fund_manager(*, viewer) -> list[Stall]:
    """For administrators: proposals waiting for a fund manager's step (screening, funding,
    tranches, closing) with which every active fund manager has a conflict of interest
    (DOMAIN.md, "Nothing stalls silently"). An administrator unblocks them by making someone
    free of conflict a fund manager."""
    from people.models import FUND_MANAGERS

    if not (viewer and viewer.is_authenticated and viewer.is_active and viewer.is_superuser):
        return []
    managers = list(User.objects.filter(groups__name=FUND_MANAGERS, is_active=True)
                    .select_related("agency"))
    qs = (Proposal.objects.filter(state__in=list(MONEY_STEPS))
          .select_related("round", "lead__agency")
          .prefetch_related("team", "partner_agencies").order_by("submitted_at", "pk"))
    found = []
    for proposal in qs:
        if any(not has_conflict(m, proposal) for m in managers):
            continue
        found.append(Stall(proposal=proposal, panel=None, needs=[
            gettext("Every fund manager has a conflict of interest with it, so nobody may "
                    "%(step)s: make someone without a conflict a fund manager.")
            % {"step": MONEY_STEPS[proposal.state]}]))
    return found
