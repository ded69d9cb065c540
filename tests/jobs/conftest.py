"""A small world for the jobs tests: a round with proposals and a panel, and one user per role."""

import datetime
from decimal import Decimal

import pytest

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from reviews.models import Assignment, Panel


class World:
    """Attributes: fund, round, draft_round, manager, hr, lead, reviewer, chair, admin, stranger,
    proposal, and `users`, by role name (anonymous: None)."""


@pytest.fixture
def world(db):
    w = World()
    w.fund = FundFactory(name="Gross National Happiness Innovation Fund")
    ContributionFactory(fund=w.fund, amount=Decimal("3000000.00"))
    w.round = RoundFactory(fund=w.fund, title="Digital services for districts")
    w.draft_round = RoundFactory(fund=w.fund, draft=True, title="Next year's round")
    w.manager = UserFactory(username="manager", fund_manager=True)
    w.hr = UserFactory(username="hr", hr_officer=True)
    w.lead = UserFactory(username="lead")
    w.reviewer = UserFactory(username="reviewer")
    w.chair = UserFactory(username="chair")
    w.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    w.stranger = UserFactory(username="stranger")
    panel = Panel.objects.create(round=w.round, name="Panel A", chair=w.chair)
    panel.members.add(w.reviewer)
    w.proposal = ProposalFactory(round=w.round, lead=w.lead, recommended=True,
                                 title="SMS queue for district hospitals")
    Assignment.objects.create(proposal=w.proposal, reviewer=w.reviewer, panel=panel,
                              due_on=datetime.date(2027, 1, 1))
    w.users = {
        "anonymous": None, "fund_manager": w.manager, "hr_officer": w.hr, "lead": w.lead,
        "reviewer": w.reviewer, "panel_chair": w.chair, "admin": w.admin,
    }
    return w
