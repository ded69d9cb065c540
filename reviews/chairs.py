"""Who acts as a proposal's panel chair, and which proposals stall without one.

DOMAIN.md (reviews/, "Integrity rules"): for each proposal the *acting chair* is the first of
the panel's chair, its deputy chair and a stand-in named by a fund manager for that proposal
who has no conflict of interest with it. The acting chair alone (besides unconflicted fund
managers) assigns reviewers to it, requests a revision, recommends and rejects. A duty lapses
by itself when its holder becomes conflicted: the rule (`acting_chair`) is asked again on every
permission check. For the lists (the chair's home page and pages), the rule's answer for each
proposal in a panel's states is stored (`ProposalActingChair`) by `refresh_acting_chairs`,
called whenever one of its inputs changes (reviews/services/acting_chairs.py) and checked
nightly (`reconcile_acting_chairs`).

A proposal under review with no acting chair, or whose panel has fewer eligible, unconflicted
members than the reviews it still needs, is *stalled*: `stalled_proposals` lists it, with what
it needs, for every unconflicted fund manager (and for administrators when every fund manager
is conflicted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
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
    """Proposals (with review context prefetched) for which `user` is the acting chair: those
    whose stored acting chair (ProposalActingChair) is `user`, each confirmed by the rule.
    Only proposals in a panel's states (`PANEL_STATES`) have a stored acting chair."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    qs = _with_review_context(
        Proposal.objects.filter(state__in=states, stored_chair__chair=user)
        .order_by("submitted_at", "pk")
    )
    return [p for p in qs if (chair := acting_chair(p)) is not None and chair.pk == user.pk]


# --- the stored acting chair (ProposalActingChair) ---------------------------------------------
def _with_chair_inputs(qs):
    """What `acting_chair` reads, fetched for a batch: the panel (or the round's panels), its
    chair and deputy, the stand-ins, the team, the partner agencies and the declared
    conflicts (only assignments in `conflict`: all `declared_conflict` looks for)."""
    return qs.select_related(
        "round", "lead__agency", "panel__chair__agency", "panel__deputy_chair__agency",
    ).prefetch_related(
        "team", "partner_agencies",
        Prefetch("round__panels", Panel.objects.select_related(
            "chair__agency", "deputy_chair__agency")),
        Prefetch("stand_in_chairs", PanelStandIn.objects.select_related("chair__agency")),
        Prefetch("assignments", Assignment.objects.filter(
            state=Assignment.State.CONFLICT).only("id", "proposal_id", "reviewer_id", "state")),
    )


def _prime_groups(proposals) -> None:
    """Read the groups of every candidate of `proposals` in one query (`is_hr_officer`
    would ask once a person and a proposal)."""
    people = []
    for proposal in proposals:
        panels = [proposal.panel] if proposal.panel_id else list(proposal.round.panels.all())
        for panel in panels:
            people += [panel.chair, panel.deputy_chair]
        people += [s.chair for s in proposal.stand_in_chairs.all()]
    people = [p for p in people if p is not None]
    names: dict[int, set] = {p.pk: set() for p in people}
    for user_id, name in User.groups.through.objects.filter(
            user_id__in=list(names)).values_list("user_id", "group__name"):
        names[user_id].add(name)
    for person in people:
        person.__dict__["_group_names"] = names[person.pk]


def computed_acting_chairs(proposal_ids) -> dict[int, int | None]:
    """{proposal id: the id of its acting chair by the rule (`acting_chair`), or None} for
    `proposal_ids`: None for a proposal not in a panel's states or with no acting chair."""
    from .models import ProposalActingChair  # noqa: F401  (the store this feeds)

    ids = sorted({int(pk) for pk in proposal_ids if pk is not None})
    found: dict[int, int | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):
        batch = list(_with_chair_inputs(
            Proposal.objects.filter(pk__in=ids[start:start + 500], state__in=PANEL_STATES)))
        _prime_groups(batch)
        for proposal in batch:
            chair = acting_chair(proposal)
            found[proposal.pk] = chair.pk if chair is not None else None
    return found


def stored_acting_chairs(proposal_ids=None) -> dict[int, int]:
    """{proposal id: stored acting chair id} (ProposalActingChair) for `proposal_ids` (all
    when None); a proposal without a row is absent."""
    from .models import ProposalActingChair

    rows = ProposalActingChair.objects.all()
    if proposal_ids is not None:
        rows = rows.filter(proposal_id__in=list(proposal_ids))
    return dict(rows.values_list("proposal_id", "chair_id"))


def refresh_acting_chairs(proposal_ids, *, again_on_commit: bool = True) -> int:
    """Make the stored acting chair (ProposalActingChair) of each proposal of `proposal_ids`
    what the rule (`acting_chair`) says now: a row for a proposal in a panel's states with an
    acting chair, none otherwise. The one writer of the store: every change of an input of
    the rule calls it (reviews/services/acting_chairs.py), and it writes without signals
    (`bulk_create` upserts, a queryset's `delete`), so nothing loops. Returns how many
    proposals' stored chair changed.

    Inside a transaction it is asked once more when the transaction commits
    (`again_on_commit`): two transactions changing two inputs of the same proposal at once
    each see only their own change, and the one committed last would otherwise store an
    answer that misses the other's."""
    from .models import ProposalActingChair

    ids = sorted({int(pk) for pk in proposal_ids if pk is not None})
    if ids and again_on_commit and transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: refresh_acting_chairs(ids, again_on_commit=False),
                              robust=True)
    changed = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        want = computed_acting_chairs(chunk)
        have = stored_acting_chairs(chunk)
        gone = [pk for pk in chunk if want[pk] is None and pk in have]
        put = [ProposalActingChair(proposal_id=pk, chair_id=want[pk]) for pk in chunk
               if want[pk] is not None and have.get(pk) != want[pk]]
        if gone:
            ProposalActingChair.objects.filter(proposal_id__in=gone).delete()
        if put:
            ProposalActingChair.objects.bulk_create(
                put, update_conflicts=True, unique_fields=["proposal"], update_fields=["chair"])
        changed += len(gone) + len(put)
    return changed


def stale_acting_chairs(proposal_ids=None) -> list[int]:
    """The proposals (of `proposal_ids`; every proposal in a panel's states or with a row
    when None) whose stored acting chair differs from the rule's: [] when the store is
    right."""
    from .models import ProposalActingChair

    if proposal_ids is None:
        proposal_ids = set(Proposal.objects.filter(state__in=PANEL_STATES)
                           .values_list("pk", flat=True))
        proposal_ids |= set(ProposalActingChair.objects.values_list("proposal_id", flat=True))
    want = computed_acting_chairs(proposal_ids)
    have = stored_acting_chairs(want)
    return sorted(pk for pk, chair in want.items() if have.get(pk) != chair)


def reconcile_acting_chairs() -> list[int]:
    """The nightly safety net: recompute the stored acting chair of every proposal in a
    panel's states (and clear the rows of any other), and return the ids of those that
    differed (a channel that changed an input of the rule without telling the store)."""
    stale = stale_acting_chairs()
    if stale:
        refresh_acting_chairs(stale, again_on_commit=False)
    return stale


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
