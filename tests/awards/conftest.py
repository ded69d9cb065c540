"""A small world for the awards tests: a fund with contributions, a round, a recommended and a
funded proposal with the same lead and team member, a panel chair, and the other roles."""

import datetime
from decimal import Decimal

import pytest

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Tranche
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.models import Panel

D = Decimal


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The world makes many users; a fast hasher keeps these tests quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_award(proposal, *, amount=None, approved_by=None, tranches=None, state=None):
    """An award with its tranches, written directly (the service is tested on its own).

    `tranches`: a list of (amount, state) pairs; by default one scheduled tranche of the amount.
    """
    amount = D(amount if amount is not None else proposal.requested_amount or "100000.00")
    award = Award.objects.create(
        proposal=proposal, amount=amount,
        approved_by=approved_by or UserFactory(fund_manager=True),
        conditions="Report each milestone.",
        **({"state": state} if state else {}),
    )
    for i, (part, tranche_state) in enumerate(tranches or [(amount, "scheduled")], start=1):
        Tranche.objects.create(
            award=award, sequence=i, amount=D(part), state=tranche_state,
            due_on=datetime.date(2027, 1, 1) + datetime.timedelta(days=90 * i),
            milestone=f"Milestone {i}: pilot running in district {i}",
        )
    return award


def release_all(award):
    """Test set-up: the award's money is out and its milestones reported (what an outcome
    report may spend; `amount_spent` cannot exceed what was released)."""
    Tranche.objects.filter(award=award).exclude(state="cancelled").update(state="reported")


def plan(*amounts, start=datetime.date(2027, 1, 31)):
    """A tranche plan as the API takes it."""
    return [
        {"amount": str(a), "due_on": (start + datetime.timedelta(days=90 * i)).isoformat(),
         "milestone": f"Milestone {i + 1}"}
        for i, a in enumerate(amounts)
    ]


class World:
    """Attributes: fund, round, lead, team, manager, hr, chair, stranger, recommended, funded,
    award, tranches, reported (outcome_reported proposal)."""


@pytest.fixture
def world(db):
    w = World()
    w.fund = FundFactory(name="Gross National Happiness Innovation Fund")
    ContributionFactory(fund=w.fund, amount=D("2000000.00"))
    ContributionFactory(fund=w.fund, amount=D("1000000.00"))
    w.round = RoundFactory(fund=w.fund, budget=D("2500000.00"), max_award=D("1000000.00"))
    w.lead = UserFactory(username="lead", first_name="Pema", last_name="Wangmo")
    w.team = UserFactory(username="team")
    w.manager = UserFactory(username="manager", fund_manager=True, first_name="Sonam",
                            last_name="Dorji")
    w.hr = UserFactory(username="hr", hr_officer=True)
    w.chair = UserFactory(username="chair")
    w.stranger = UserFactory(username="stranger")
    Panel.objects.create(round=w.round, name="Panel A", chair=w.chair)
    w.recommended = ProposalFactory(round=w.round, lead=w.lead, recommended=True,
                                    title="SMS queue for district hospitals")
    w.funded = ProposalFactory(round=w.round, lead=w.lead, funded=True,
                               title="Citizen-designed bus timetables",
                               requested_amount=D("400000.00"))
    w.reported = ProposalFactory(round=w.round, lead=w.lead, outcome_reported=True,
                                 title="Paperless land records")
    for proposal in (w.recommended, w.funded, w.reported):
        TeamMemberFactory(proposal=proposal, user=w.team)
    w.award = make_award(w.funded, amount="400000.00", approved_by=w.manager,
                         tranches=[("250000.00", "scheduled"), ("150000.00", "scheduled")])
    w.tranches = list(w.award.tranches.order_by("sequence"))
    w.reported_award = make_award(w.reported, amount="300000.00", approved_by=w.manager,
                                  tranches=[("300000.00", "reported")])
    return w


ROLES = ("anonymous", "stranger", "lead", "team", "manager", "hr", "chair")


def user_for(world, role):
    return None if role == "anonymous" else getattr(world, role)
