"""A proposal's life, in one place: every transition, its states, who may run it, its
conditions and the service that performs it.

This is the table of DOMAIN.md ("Proposal"). `Proposal`'s state machine is built from it
(`fsm`), and the pages and the API run a transition by name through `PROPOSAL_TRANSITIONS`,
which maps each name to its service. Permissions, conditions and services live with the app
that owns the step (the acting chair and the quorum in `reviews`, money in `fund`, the
rest in `proposals.rules` and `proposals.services`); they are named here by dotted path and
imported when first used, so `proposals` imports nothing above it, the model imports no
rule, and no module changes this table by being imported.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.utils.functional import cached_property
from django.utils.module_loading import import_string

from workflow.services import Permission, Rule

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
    who: str  # in words
    permission: str  # dotted path of the `Permission` (or function) that says who may
    service: str  # dotted path of the service that performs it (actor=, proposal=, note=...)
    conditions: tuple[str, ...] = ()  # dotted paths of its `Rule`s, checked in this order

    def resolve(self) -> Callable:
        return import_string(self.service)


_R = "proposals.rules."
_FUND_MANAGER = _R + "is_unconflicted_fund_manager"
_CHAIR = "reviews.rules.is_acting_chair"
_QUORUM = ("reviews.rules.review_quorum_reached",)
_DRAFTING = "proposals.services.drafting."
_OUTCOMES = "proposals.services.outcomes."

LIFECYCLE: tuple[ProposalTransition, ...] = (
    ProposalTransition(
        "submit", (DRAFT, REVISION_REQUESTED), SUBMITTED, "the lead", _R + "is_lead",
        _DRAFTING + "proposal_submit",
        conditions=tuple(_R + rule for rule in (
            "round_accepts_submission", "required_fields_filled", "enough_partner_agencies",
            "budget_lines_sum_to_requested", "requested_within_max_award",
            "no_chair_duty_in_round",
        )),
    ),
    ProposalTransition(
        "withdraw", (DRAFT, SUBMITTED, IN_REVIEW, REVISION_REQUESTED), WITHDRAWN, "the lead",
        _R + "is_lead", _DRAFTING + "proposal_withdraw",
    ),
    ProposalTransition(
        "screen_out", (SUBMITTED,), INELIGIBLE, "an unconflicted fund manager", _FUND_MANAGER,
        _DRAFTING + "proposal_screen_out",
    ),
    ProposalTransition(
        "send_to_review", (SUBMITTED,), IN_REVIEW, "an unconflicted fund manager",
        _FUND_MANAGER, _DRAFTING + "proposal_send_to_review",
    ),
    ProposalTransition(
        "request_revision", (IN_REVIEW,), REVISION_REQUESTED, "the panel's acting chair",
        _CHAIR, _DRAFTING + "proposal_request_revision",
    ),
    ProposalTransition(
        "recommend", (IN_REVIEW,), RECOMMENDED, "the panel's acting chair", _CHAIR,
        "reviews.services.decisions.proposal_recommend", conditions=_QUORUM,
    ),
    ProposalTransition(
        "reject", (IN_REVIEW,), REJECTED, "the panel's acting chair", _CHAIR,
        "reviews.services.decisions.proposal_reject", conditions=_QUORUM,
    ),
    ProposalTransition(
        "fund", (RECOMMENDED,), FUNDED, "an unconflicted fund manager", _FUND_MANAGER,
        "fund.services.awards.proposal_fund",
    ),
    ProposalTransition(
        "decline", (RECOMMENDED,), DECLINED, "an unconflicted fund manager", _FUND_MANAGER,
        "fund.services.awards.proposal_decline",
    ),
    ProposalTransition(
        "report_outcome", (FUNDED,), OUTCOME_REPORTED, "the lead or a team member",
        _R + "is_lead_or_team", _OUTCOMES + "proposal_report_outcome",
        conditions=(_R + "outcome_report_exists",),
    ),
    ProposalTransition(
        "close", (OUTCOME_REPORTED,), CLOSED, "an unconflicted fund manager", _FUND_MANAGER,
        _OUTCOMES + "proposal_close",
    ),
)

_BY_NAME = {t.name: t for t in LIFECYCLE}


def transition(name: str) -> ProposalTransition:
    """The declared transition `name` (KeyError when there is none)."""
    return _BY_NAME[name]


class _LazyRule(Rule):
    """A condition of the table, named by dotted path, imported when first checked."""

    def __init__(self, path: str):
        self.path = path
        self.__name__ = path.rsplit(".", 1)[-1]

    @cached_property
    def target(self) -> Rule:
        return import_string(self.path)

    @property
    def field(self) -> str:
        return self.target.field

    def check(self, instance):
        return self.target.check(instance)

    def __call__(self, instance) -> bool:
        return self.target(instance)

    def errors(self, instance) -> dict[str, list[str]]:
        return self.target.errors(instance)


class _LazyPermission(Permission):
    """Who may, named by dotted path, imported when first asked; says why it refuses when
    the named permission does (a `workflow.services.Permission`)."""

    def __init__(self, path: str):
        self.path = path
        self.__name__ = path.rsplit(".", 1)[-1]

    @cached_property
    def target(self):
        return import_string(self.path)

    def check(self, instance, user) -> bool:
        return self(instance, user)

    def refusal(self, instance, user) -> str:
        target = self.target
        return target.refusal(instance, user) if isinstance(target, Permission) else ""

    def __call__(self, instance, user) -> bool:
        return bool(self.target(instance, user))


def fsm(name: str) -> dict:
    """The keyword arguments of the state machine's `@transition` for `name`: its states,
    conditions and permission."""
    step = _BY_NAME[name]
    return {
        "source": list(step.sources),
        "target": step.target,
        "conditions": [_LazyRule(path) for path in step.conditions],
        "permission": _LazyPermission(step.permission),
    }


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
