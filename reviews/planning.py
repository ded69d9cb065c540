"""The assignment plan the chair starts from: every proposal in review gets the round's
`reviews_required` reviewers from the panel, nobody with a conflict of interest, and the
reviewers' loads as even as the conflicts allow.

The plan is a min-cost flow: proposal → eligible reviewer edges, and each reviewer's k-th
review costing (current load + k). Minimising a convex cost of the loads gives the most
even loads possible (it lowers the highest load and raises the lowest one at once), so the
loads differ by at most one whenever any conflict-free plan can achieve that.
"""

from collections import deque
from dataclasses import dataclass, field

from django.utils.translation import ngettext

from proposals.conflicts import conflict_reason
from proposals.models import Proposal

from .models import Assignment, Panel

ACTIVE_STATES = (Assignment.State.ASSIGNED, Assignment.State.SUBMITTED)


@dataclass
class ProposalPlan:
    proposal: Proposal
    needed: int  # reviewers still to find
    existing: list = field(default_factory=list)  # active assignments already made
    proposed: list = field(default_factory=list)  # users proposed now
    excluded: list = field(default_factory=list)  # (user, reason) panel members who may not
    shortfall: str = ""


@dataclass
class AssignmentPlan:
    panel: Panel
    rows: list[ProposalPlan]
    loads: dict  # reviewer id → active assignments after the plan
    members: list
    panel_problem: str = ""

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return [(row.proposal.pk, user.pk) for row in self.rows for user in row.proposed]

    @property
    def shortfalls(self) -> list[str]:
        return [row.shortfall for row in self.rows if row.shortfall]


def panel_agency_problem(panel: Panel, members=None) -> str:
    """A message when the panel's members come from too few agencies, else ''."""
    members = list(panel.members.all()) if members is None else members
    agencies = {m.agency_id for m in members if m.agency_id}
    needed = panel.round.min_panel_agencies
    if len(agencies) < needed:
        return ngettext(
            "The panel “%(panel)s” has members from %(count)d agency; this round needs at "
            "least %(needed)d before any assignment is made.",
            "The panel “%(panel)s” has members from %(count)d agencies; this round needs at "
            "least %(needed)d before any assignment is made.",
            len(agencies)) % {"panel": panel.name, "count": len(agencies), "needed": needed}
    return ""


class _MinCostFlow:
    def __init__(self, size: int):
        self.graph: list[list[list[int]]] = [[] for _ in range(size)]

    def add(self, u: int, v: int, cap: int, cost: int) -> list[int]:
        forward = [v, cap, cost, len(self.graph[v])]
        self.graph[u].append(forward)
        self.graph[v].append([u, 0, -cost, len(self.graph[u]) - 1])
        return forward

    def run(self, source: int, sink: int) -> None:
        size = len(self.graph)
        while True:
            dist = [None] * size
            prev: list = [None] * size
            dist[source] = 0
            queue, queued = deque([source]), [False] * size
            queued[source] = True
            while queue:
                u = queue.popleft()
                queued[u] = False
                for i, (v, cap, cost, _) in enumerate(self.graph[u]):
                    if cap > 0 and (dist[v] is None or dist[u] + cost < dist[v]):
                        dist[v] = dist[u] + cost
                        prev[v] = (u, i)
                        if not queued[v]:
                            queued[v] = True
                            queue.append(v)
            if dist[sink] is None:
                return
            v = sink
            while v != source:  # every path holds a unit-capacity edge: push one unit
                u, i = prev[v]
                edge = self.graph[u][i]
                edge[1] -= 1
                self.graph[v][edge[3]][1] += 1
                v = u


def propose_reviewers(*, needs: list[int], eligible: list[list[int]],
                      loads: dict[int, int]) -> list[list[int]]:
    """For each proposal i, up to needs[i] reviewers from eligible[i] (reviewer ids), the
    loads (reviewer id → current load) kept as even as possible. Pure: no database."""
    reviewers = sorted(loads)
    total = sum(needs)
    source, sink = 0, 1 + len(needs) + len(reviewers)
    node = {pk: 1 + len(needs) + i for i, pk in enumerate(reviewers)}
    flow = _MinCostFlow(sink + 1)
    edges = []
    for i, (need, free) in enumerate(zip(needs, eligible, strict=True)):
        if need:
            flow.add(source, 1 + i, need, 0)
            for pk in free:
                edges.append((i, pk, flow.add(1 + i, node[pk], 1, 0)))
    capacity = {pk: 0 for pk in reviewers}  # at most one review per proposal
    for _i, pk, _edge in edges:
        capacity[pk] += 1
    if total:
        for pk in reviewers:  # the k-th extra review costs load + k: convex, so balanced
            for k in range(1, capacity[pk] + 1):
                flow.add(node[pk], sink, 1, loads[pk] + k)
        flow.run(source, sink)
    chosen: list[list[int]] = [[] for _ in needs]
    for i, pk, edge in edges:
        if edge[1] == 0:
            chosen[i].append(pk)
    return chosen


def build_plan(panel: Panel, viewer=None) -> AssignmentPlan:
    """Propose assignments for the panel's proposals in review. Given a `viewer`, only the
    proposals they may assign (as acting chair or unconflicted fund manager) are planned:
    the others are not shown at all, not even their reviewers or progress."""
    from people.models import HR_OFFICERS

    from .chairs import proposal_panel
    from .permissions import can_assign

    round_ = panel.round
    # The members who may review: an HR officer or a deactivated member is never proposed
    # (the assignment would be refused; an insider's attack saw an HR officer pre-ticked).
    members = list(panel.members.filter(is_active=True).exclude(groups__name=HR_OFFICERS)
                   .select_related("agency").order_by("pk"))
    proposals = [
        p for p in Proposal.objects.filter(round=round_, state=Proposal.State.IN_REVIEW)
        .select_related("lead__agency", "round", "panel__chair", "panel__deputy_chair")
        .prefetch_related("team", "partner_agencies", "round__panels__chair",
                          "round__panels__deputy_chair", "stand_in_chairs__chair")
        .order_by("pk")
        if proposal_panel(p) == panel and (viewer is None or can_assign(viewer, panel, p))
    ]
    assignments = list(
        Assignment.objects.filter(proposal__in=[p.pk for p in proposals])
        .select_related("reviewer")
    )
    by_pair = {(a.proposal_id, a.reviewer_id): a for a in assignments}
    member_ids = {m.pk for m in members}
    loads = {m.pk: 0 for m in members}
    # Loads count the active assignments on the proposals this viewer may plan: a load from a
    # proposal hidden from them would tell who reviews it.
    for a in assignments:
        if a.state in ACTIVE_STATES and a.reviewer_id in member_ids:
            loads[a.reviewer_id] += 1

    rows, eligible = [], []
    for proposal in proposals:
        existing = [a for a in assignments if a.proposal_id == proposal.pk
                    and a.state in ACTIVE_STATES]
        row = ProposalPlan(proposal=proposal, existing=existing,
                           needed=max(0, round_.reviews_required - len(existing)))
        free = []
        for member in members:
            earlier = by_pair.get((proposal.pk, member.pk))
            if earlier is not None:
                if earlier.state == Assignment.State.CONFLICT:
                    row.excluded.append((member, f"{member} declared a conflict: "
                                                 f"{earlier.conflict_reason}"))
                continue
            reason = conflict_reason(member, proposal)
            if reason:
                row.excluded.append((member, reason))
            else:
                free.append(member)
        rows.append(row)
        eligible.append(free)

    chosen = propose_reviewers(
        needs=[row.needed for row in rows],
        eligible=[[m.pk for m in free] for free in eligible],
        loads=loads,
    )
    members_by_pk = {m.pk: m for m in members}
    for row, picked in zip(rows, chosen, strict=True):
        row.proposed = [members_by_pk[pk] for pk in picked]
        for pk in picked:
            loads[pk] += 1

    for row in rows:
        if len(row.proposed) < row.needed:
            have = len(row.existing) + len(row.proposed)
            why = "; ".join(reason for _, reason in row.excluded) or "the panel is too small"
            row.shortfall = (
                f"“{row.proposal.title}” needs {round_.reviews_required} reviewers but can have "
                f"only {have}: {why}."
            )
    return AssignmentPlan(panel=panel, rows=rows, loads=loads, members=members,
                          panel_problem=panel_agency_problem(panel, members))
