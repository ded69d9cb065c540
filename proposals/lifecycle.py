"""A proposal's life, in one place: every transition, its states, who runs it, which service.

This is the table of DOMAIN.md ("Proposal"). `Proposal`'s state machine takes each
transition's source and target states from here (`edge`), and the pages and the API run a
transition by name through `PROPOSAL_TRANSITIONS`, which maps each name to the service that
performs it. The services live in the app that owns the step (the panel's decisions in
`reviews`, money in `fund`); they are named by dotted path and imported only when first
used, so `proposals` imports nothing above it and no module changes this table by being
imported.

Who may run a transition is checked by the model's permission (`proposals/rules.py`); the
`who` column here says it in words, for readers and for the tests that keep both in step.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.utils.module_loading import import_string

DRAFT, SUBMITTED, INELIGIBLE, IN_REVIEW = "draft", "submitted", "ineligible", "in_review"
REVISION_REQUESTED, RECOMMENDED, REJECTED = "revision_requested", "recommended", "rejected"
FUNDED, DECLINED, OUTCOME_REPORTED = "funded", "declined", "outcome_reported"
CLOSED, WITHDRAWN = "closed", "withdrawn"


@dataclass(frozen=True)
class ProposalTransition:
    """One step of a proposal's life."""

    name: str
    sources: tuple[str, ...]
    target: str
    who: str
    service: str  # dotted path of the service that performs it (actor=, proposal=, note=...)

    def resolve(self) -> Callable:
        return import_string(self.service)


LIFECYCLE: tuple[ProposalTransition, ...] = (
    ProposalTransition("submit", (DRAFT, REVISION_REQUESTED), SUBMITTED, "the lead",
                       "proposals.services.drafting.proposal_submit"),
    ProposalTransition("withdraw", (DRAFT, SUBMITTED, IN_REVIEW, REVISION_REQUESTED),
                       WITHDRAWN, "the lead",
                       "proposals.services.drafting.proposal_withdraw"),
    ProposalTransition("screen_out", (SUBMITTED,), INELIGIBLE, "an unconflicted fund manager",
                       "proposals.services.drafting.proposal_screen_out"),
    ProposalTransition("send_to_review", (SUBMITTED,), IN_REVIEW,
                       "an unconflicted fund manager",
                       "proposals.services.drafting.proposal_send_to_review"),
    ProposalTransition("request_revision", (IN_REVIEW,), REVISION_REQUESTED,
                       "the panel's acting chair",
                       "proposals.services.drafting.proposal_request_revision"),
    ProposalTransition("recommend", (IN_REVIEW,), RECOMMENDED, "the panel's acting chair",
                       "reviews.services.proposal_recommend"),
    ProposalTransition("reject", (IN_REVIEW,), REJECTED, "the panel's acting chair",
                       "reviews.services.proposal_reject"),
    ProposalTransition("fund", (RECOMMENDED,), FUNDED, "an unconflicted fund manager",
                       "fund.services.awards.proposal_fund"),
    ProposalTransition("decline", (RECOMMENDED,), DECLINED, "an unconflicted fund manager",
                       "fund.services.awards.proposal_decline"),
    ProposalTransition("report_outcome", (FUNDED,), OUTCOME_REPORTED,
                       "the lead or a team member",
                       "proposals.services.outcomes.proposal_report_outcome"),
    ProposalTransition("close", (OUTCOME_REPORTED,), CLOSED, "an unconflicted fund manager",
                       "proposals.services.outcomes.proposal_close"),
)

_BY_NAME = {t.name: t for t in LIFECYCLE}


def transition(name: str) -> ProposalTransition:
    """The declared transition `name` (KeyError when there is none)."""
    return _BY_NAME[name]


def edge(name: str) -> dict:
    """`source=` and `target=` of the state machine's transition `name`, for `@transition`."""
    step = _BY_NAME[name]
    return {"source": list(step.sources), "target": step.target}


class TransitionRegistry(Mapping):
    """{name: service} for every declared transition, each service imported on first use.

    Read-only: a transition is added by declaring it in `LIFECYCLE`, never at import time.
    """

    def __init__(self, steps: tuple[ProposalTransition, ...]):
        self._steps = {step.name: step for step in steps}

    def __getitem__(self, name: str) -> Callable:
        return self._steps[name].resolve()

    def __iter__(self) -> Iterator[str]:
        return iter(self._steps)

    def __len__(self) -> int:
        return len(self._steps)

    def __contains__(self, name) -> bool:
        return name in self._steps

    def __repr__(self) -> str:
        return f"TransitionRegistry({list(self._steps)})"


#: The transitions the pages and the API may run by name: {"submit": proposal_submit, ...}.
PROPOSAL_TRANSITIONS = TransitionRegistry(LIFECYCLE)
