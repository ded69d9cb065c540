"""Many fund managers funding at the same instant never overdraw a fund or a round.

Runs on PostgreSQL only (the PostgreSQL pass of .ci/run): SQLite has no row locks, and
serialises writers anyway. Each thread has its own database connection and transaction.
"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award
from fund.services import fund_available_balance, proposal_fund, round_remaining_budget
from people.factories import UserFactory
from people.models import User
from proposals.factories import ProposalFactory
from proposals.models import Proposal

from .conftest import plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CALLS = 24
AWARD = Decimal("100000.00")


def _fund_all_at_once(proposals, manager_pk):
    """Fire one `fund` call per proposal, all released together; return (successes, refusals)."""
    barrier = threading.Barrier(len(proposals))
    outcomes, lock = [], threading.Lock()

    def fund_one(proposal_pk):
        try:
            actor = User.objects.get(pk=manager_pk)
            proposal = Proposal.objects.get(pk=proposal_pk)
            barrier.wait(timeout=30)
            try:
                proposal_fund(proposal=proposal, actor=actor, amount=str(AWARD),
                              tranches=plan("60000.00", "40000.00"))
                result = ("ok", proposal_pk)
            except ValidationError as error:
                result = ("refused", error.message_dict)
            except Exception as error:  # anything else is a failure of the test
                result = ("error", repr(error))
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=fund_one, args=(p.pk,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    assert len(outcomes) == len(proposals)
    return [o for o in outcomes if o[0] == "ok"], [o for o in outcomes if o[0] == "refused"]


def _proposals(rounds, n):
    """`n` recommended proposals spread over `rounds` (all drawing on one fund)."""
    return [ProposalFactory(round=rounds[i % len(rounds)], recommended=True, requested_amount=AWARD)
            for i in range(n)]


def test_concurrent_awards_never_overdraw_the_fund():
    assert connection.vendor == "postgresql"
    manager = UserFactory(fund_manager=True)
    fund = FundFactory()
    ContributionFactory(fund=fund, amount=Decimal("600000.00"))
    ContributionFactory(fund=fund, amount=Decimal("450000.00"))  # 1,050,000: ten awards fit
    rounds = [RoundFactory(fund=fund, budget=Decimal("9000000.00"), max_award=AWARD)
              for _ in range(3)]
    proposals = _proposals(rounds, CALLS)

    ok, refused = _fund_all_at_once(proposals, manager.pk)

    assert len(ok) == 10
    assert len(refused) == CALLS - 10
    assert all("would overdraw" in r[1]["amount"][0] for r in refused)
    assert fund_available_balance(fund=fund) == Decimal("50000.00")
    awards = Award.objects.filter(proposal__round__fund=fund)
    assert awards.count() == 10
    assert {a.proposal_id for a in awards} == {pk for _, pk in ok}
    funded = Proposal.objects.filter(round__fund=fund, state=Proposal.State.FUNDED).count()
    assert funded == 10


def test_concurrent_awards_never_exceed_the_round_budget():
    manager = UserFactory(fund_manager=True)
    fund = FundFactory()
    ContributionFactory(fund=fund, amount=Decimal("9000000.00"))
    round_ = RoundFactory(fund=fund, budget=Decimal("750000.00"), max_award=AWARD)
    proposals = _proposals([round_], CALLS)

    ok, refused = _fund_all_at_once(proposals, manager.pk)

    assert len(ok) == 7
    assert all("does not fit" in r[1]["amount"][0] for r in refused)
    assert round_remaining_budget(round_=round_) == Decimal("50000.00")
    assert fund_available_balance(fund=fund) == Decimal("8300000.00")
