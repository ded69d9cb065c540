"""Money after any sequence of actions (issue 13): a hypothesis stateful test.

Contributions, awards with tranches, releases, milestone reports, cancellations of tranches
and awards, outcome reports and closes interleave in random order. After every step:
- available = contributions − committed, and never negative;
- released ≤ committed;
- each award's tranches (cancelled ones included) sum to its amount;
- no money counted twice: the database's figures (services, the fund list's annotations and
  the round's remaining budget) equal a sum made here, row by row, in Python.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from fund.factories import FundFactory, RoundFactory
from fund.models import Award, Contribution, Tranche
from fund.selectors import funds_with_balance
from fund.services.awards import (
    award_cancel,
    fund_available_balance,
    proposal_fund,
    round_remaining_budget,
    tranche_cancel,
    tranche_release,
    tranche_report_milestone,
)
from fund.services.funds import contribution_create
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.services.outcomes import proposal_close, proposal_report_outcome
from workflow.services import TransitionStateConflict

REFUSED = (ValidationError, PermissionDenied, TransitionStateConflict)
D = Decimal
PROPOSALS = 4
amounts = st.integers(1, 40).map(lambda n: D(n) * D("10000.00"))


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.manager = UserFactory(fund_manager=True, agency=AgencyFactory())
        self.fund = FundFactory()
        self.round = RoundFactory(fund=self.fund, budget=D("2000000.00"),
                                  max_award=D("1000000.00"))
        self.agency = AgencyFactory()
        self.proposals = [ProposalFactory(round=self.round, recommended=True,
                                          requested_amount=D("600000.00"))
                          for _ in range(PROPOSALS)]
        # Enough to fund a few proposals from the start; `contribute` adds more.
        contribution_create(actor=self.manager, fund=self.fund, agency=self.agency,
                            amount=D("1500000.00"), received_on=timezone.localdate())

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, action, **kwargs):
        try:
            with transaction.atomic():
                return action(**kwargs)
        except REFUSED:
            return None

    def _proposal(self, i):
        return type(self.proposals[i]).objects.get(pk=self.proposals[i].pk)

    def _tranche(self, i, sequence):
        return Tranche.objects.filter(award__proposal=self.proposals[i],
                                      sequence=sequence).first()

    # --- rules ---------------------------------------------------------------------------
    @rule(amount=amounts)
    def contribute(self, amount):
        self._try(contribution_create, actor=self.manager, fund=self.fund, agency=self.agency,
                  amount=amount, received_on=timezone.localdate())

    @rule(i=st.integers(0, PROPOSALS - 1), parts=st.lists(amounts, min_size=1, max_size=3))
    def fund_proposal(self, i, parts):
        start = timezone.localdate()
        tranches = [{"amount": str(a), "due_on": (start + timedelta(days=30 * k)).isoformat(),
                     "milestone": f"Milestone {k + 1}"} for k, a in enumerate(parts)]
        self._try(proposal_fund, proposal=self._proposal(i), actor=self.manager,
                  amount=sum(parts, D("0")), tranches=tranches)

    @rule(i=st.integers(0, PROPOSALS - 1), sequence=st.integers(1, 3))
    def release(self, i, sequence):
        tranche = self._tranche(i, sequence)
        if tranche is not None:
            self._try(tranche_release, tranche=tranche, actor=self.manager)

    @rule(i=st.integers(0, PROPOSALS - 1), sequence=st.integers(1, 3))
    def report_milestone(self, i, sequence):
        tranche = self._tranche(i, sequence)
        if tranche is not None:
            self._try(tranche_report_milestone, tranche=tranche,
                      actor=self.proposals[i].lead, milestone_report="Done as planned.")

    @rule(i=st.integers(0, PROPOSALS - 1), sequence=st.integers(1, 3))
    def cancel_tranche(self, i, sequence):
        tranche = self._tranche(i, sequence)
        if tranche is not None:
            self._try(tranche_cancel, tranche=tranche, actor=self.manager, reason="Dropped.")

    @rule(i=st.integers(0, PROPOSALS - 1))
    def cancel_award(self, i):
        award = Award.objects.filter(proposal=self.proposals[i]).first()
        if award is not None:
            self._try(award_cancel, award=award, actor=self.manager, reason="Withdrawn.")

    @rule(i=st.integers(0, PROPOSALS - 1), share=st.integers(0, 100))
    def report_outcome(self, i, share):
        released = sum((t.amount for t in Tranche.objects.filter(
            award__proposal=self.proposals[i], state__in=("released", "reported"))), D("0"))
        self._try(proposal_report_outcome, proposal=self._proposal(i),
                  actor=self.proposals[i].lead, result="did_not_succeed", summary="Done.",
                  indicators="Measured.", amount_spent=(released * share / 100).quantize(
                      D("0.01")), citizen_feedback="Heard.", next_step="stop")

    @rule(i=st.integers(0, PROPOSALS - 1))
    def close(self, i):
        self._try(proposal_close, proposal=self._proposal(i), actor=self.manager)

    # --- invariants ---------------------------------------------------------------------------
    def _by_hand(self):
        contributed = sum((c.amount for c in Contribution.objects.filter(fund=self.fund)),
                          D("0"))
        committed = released = D("0")
        for award in Award.objects.filter(proposal__round=self.round).prefetch_related(
                "tranches"):
            tranches = list(award.tranches.all())
            assert sum((t.amount for t in tranches), D("0")) == award.amount
            if award.state == Award.State.CANCELLED:
                assert all(t.state == "cancelled" for t in tranches)
                continue
            committed += award.amount - sum(
                (t.amount for t in tranches if t.state == "cancelled"), D("0"))
            released += sum((t.amount for t in tranches if t.state in ("released", "reported")),
                            D("0"))
        return contributed, committed, released

    @invariant()
    def the_books_balance(self):
        contributed, committed, released = self._by_hand()
        available = fund_available_balance(fund=self.fund)
        assert available == contributed - committed
        assert available >= 0
        assert released <= committed
        annotated = funds_with_balance().get(pk=self.fund.pk)
        assert annotated.available_balance == available
        assert annotated.committed_sum == committed
        assert round_remaining_budget(round_=self.round) == self.round.budget - committed

    @invariant()
    def spending_stays_within_what_was_released(self):
        for proposal in self.proposals:
            report = getattr(type(proposal).objects.get(pk=proposal.pk), "outcome_report", None)
            if report is None:
                continue
            released = sum((t.amount for t in Tranche.objects.filter(
                award__proposal=proposal, state__in=("released", "reported"))), D("0"))
            assert report.amount_spent <= released


@pytest.mark.django_db
def test_money_invariants_hold_after_any_sequence_of_actions():
    run_state_machine_as_test(MoneyMachine, settings=settings(
        max_examples=15, stateful_step_count=20, deadline=None,
        suppress_health_check=list(HealthCheck)))
