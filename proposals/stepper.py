"""Where a proposal is in its life, as steps with their dates: the picture above the proposal
page (`{% proposal_stepper proposal %}`, templates/proposals/_stepper.html).

The main road is drafted, submitted, in review, decided, funded, outcome reported, closed.
The branches are shown where they happen, not hidden: a proposal screened out stops at
"Submitted", one the panel did not recommend stops at "Decided", one the fund declined stops
at "Funded" (read "Not funded"), a withdrawn one stops where it was withdrawn; a request for
revision is noted on "In review" (and, while it waits, that is the current step). The steps
after a stop are "not reached". Dates come from the transition log (one query), the draft's
from the proposal itself; a step reached without a logged date (data from before the log)
shows no date rather than a wrong one. Only dates and what happened are shown, never who
acted, so every viewer of the proposal may read it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from workflow.models import TransitionLog

from .lifecycle import (
    CLOSED,
    DECLINED,
    DRAFT,
    FUNDED,
    IN_REVIEW,
    INELIGIBLE,
    OUTCOME_REPORTED,
    RECOMMENDED,
    REJECTED,
    REVISION_REQUESTED,
    SUBMITTED,
    WITHDRAWN,
)

# The main road: (key, label), in order.
STEPS: tuple[tuple[str, str], ...] = (
    ("drafted", _("Drafted")),
    ("submitted", _("Submitted")),
    ("in_review", _("In review")),
    ("decided", _("Decided")),
    ("funded", _("Funded")),
    ("outcome", _("Outcome reported")),
    ("closed", _("Closed")),
)
_INDEX = {key: i for i, (key, _label) in enumerate(STEPS)}

# The step each state stands at.
STEP_OF_STATE = {
    DRAFT: "drafted", SUBMITTED: "submitted", INELIGIBLE: "submitted",
    IN_REVIEW: "in_review", REVISION_REQUESTED: "in_review",
    RECOMMENDED: "decided", REJECTED: "decided",
    FUNDED: "funded", DECLINED: "funded",
    OUTCOME_REPORTED: "outcome", CLOSED: "closed",
}
# States where the proposal's life stopped before the end of the road.
STOPPED = frozenset({INELIGIBLE, REJECTED, DECLINED, WITHDRAWN})

# The transition that reaches each step (its first date is the step's date, except where
# a later one decides: `decided` and `funded` take the last).
_REACHED_BY = {
    "submitted": ("submit",), "in_review": ("send_to_review",),
    "decided": ("recommend", "reject"), "funded": ("fund", "decline"),
    "outcome": ("report_outcome",), "closed": ("close",),
}

# What each status reads as, beside the step (never colour alone).
STATUS_TEXT = {
    "done": _("Done"), "current": _("Current step"), "stopped": _("Stopped here"),
    "upcoming": _("Still to come"), "not_reached": _("Not reached"),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    status: str  # done, current, stopped, upcoming, not_reached
    at: datetime.datetime | None
    notes: tuple[tuple[str, datetime.datetime | None], ...] = ()  # (what happened, when)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def is_current(self) -> bool:
        return self.status in ("current", "stopped")


def _log(proposal) -> list[TransitionLog]:
    return list(TransitionLog.objects.for_object(proposal).only(
        "transition", "from_state", "to_state", "at").order_by("at", "id"))


def proposal_steps(proposal, log: list | None = None) -> list[Step]:
    """The proposal's steps with their status and dates (see the module's doc); `log` is the
    proposal's transition log, oldest first, when the caller already has it (else one query)."""
    log = _log(proposal) if log is None else list(log)
    first: dict[str, datetime.datetime] = {}
    last: dict[str, datetime.datetime] = {}
    for entry in log:
        first.setdefault(entry.transition, entry.at)
        last[entry.transition] = entry.at
    state = proposal.state
    if state == WITHDRAWN:
        withdrawal = next((e for e in reversed(log) if e.transition == "withdraw"), None)
        at_state = withdrawal.from_state if withdrawal else DRAFT
        here = STEP_OF_STATE.get(at_state, "drafted")
    else:
        here = STEP_OF_STATE[state]
    here_index = _INDEX[here]

    notes: dict[str, list] = {key: [] for key, _label in STEPS}
    submits = [e.at for e in log if e.transition == "submit"]
    for again in submits[1:]:
        notes["submitted"].append((_("Submitted again after a revision"), again))
    for entry in log:
        if entry.transition == "request_revision":
            notes["in_review"].append((_("Returned to the lead for revision"), entry.at))
    if state == REVISION_REQUESTED:
        notes["in_review"].append((_("Waiting for the lead to revise it and submit it again"), None))
    if state == INELIGIBLE:
        notes["submitted"].append((_("Screened out: not eligible for the round"), last.get("screen_out")))
    elif state == WITHDRAWN:
        notes[here].append((_("Withdrawn by the lead"), last.get("withdraw")))
    if state == REJECTED:
        notes["decided"].append((_("Not recommended by the panel"), None))
    elif here_index >= _INDEX["decided"]:  # withdrawing is only possible before a decision
        notes["decided"].append((_("Recommended by the panel"), None))
    if state == DECLINED:
        notes["funded"].append((_("The fund declined to fund it"), None))

    steps = []
    for index, (key, label) in enumerate(STEPS):
        if key == "funded" and state == DECLINED:
            label = _("Not funded")
        if key == "decided" and state == REJECTED:
            label = _("Decided: not recommended")
        if index < here_index:
            status = "done"
        elif index == here_index:
            status = "stopped" if state in STOPPED else "current"
        else:
            status = "not_reached" if state in STOPPED else "upcoming"
        if key == "drafted":
            at = proposal.created_at
        elif status in ("upcoming", "not_reached"):
            at = None
        else:
            names = _REACHED_BY[key]
            dates = [(last if key in ("decided", "funded") else first).get(n) for n in names]
            dates = [d for d in dates if d is not None]
            at = max(dates) if dates else None
        steps.append(Step(key, label, status, at, tuple(notes[key])))
    return steps
