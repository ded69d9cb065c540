"""A review scene: a round in review with a panel from three agencies and a proposal."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.factories import AssignmentFactory, PanelFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every factory user gets a password; the default hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scene(db):
    """round (open, 3 reviews required), panel (chair + 3 members, 3 agencies), a proposal in
    review led from MOH with partner MOE and a team member, one assignment per member."""
    moh, moe = AgencyFactory(code="MOH"), AgencyFactory(code="MOE")
    # Open: its rubric may still change until the first review (a closed round's terms stay).
    round_ = RoundFactory()
    lead = UserFactory(username="lead", agency=moh)
    proposal = ProposalFactory(round=round_, lead=lead, in_review=True, partners=[moe])
    team_member = TeamMemberFactory(proposal=proposal, user=UserFactory(username="teammate")).user
    chair = UserFactory(username="chair")
    members = [UserFactory(username=f"reviewer{i}") for i in range(3)]
    outsider = UserFactory(username="outsider")
    panel = PanelFactory(round=round_, chair=chair, members=[*members, outsider])
    assignments = [
        AssignmentFactory(proposal=proposal, panel=panel, reviewer=m) for m in members
    ]
    return SimpleNamespace(
        round=round_, proposal=proposal, lead=lead, team_member=team_member, chair=chair,
        members=members, other_member=outsider, panel=panel, assignments=assignments,
        criteria=list(round_.criteria.all()), moh=moh, moe=moe,
        fund_manager=UserFactory(username="fm", fund_manager=True),
        hr_officer=UserFactory(username="hro", hr_officer=True),
        stranger=UserFactory(username="stranger"),
    )


def full_scores(criteria, value=4):
    return [{"criterion": c.pk, "value": value} for c in criteria]


def reviewed(round_, panel, title, amount, scores, **extra):
    """A proposal of `round_` in review, asking `amount`, with a submitted review per score."""
    proposal = ProposalFactory(round=round_, in_review=True, title=title,
                               requested_amount=Decimal(amount), **extra)
    for score in scores:
        AssignmentFactory(proposal=proposal, panel=panel, submitted=True, score=score)
    return proposal


def ranked_round(gamma_title="Gamma schools"):
    """A closed round (budget 1,000,000) of five reviewed proposals, mean weighted scores
    100, 90, 80, 60, 40; the chair's agency partners the second and the fourth (a conflict of
    interest). Returns (round, panel, chair, a fund manager, the five proposals)."""
    round_ = RoundFactory(closed=True, budget=Decimal("1000000.00"))
    panel = PanelFactory(round=round_)
    chair = panel.chair
    fm = UserFactory(fund_manager=True)
    a = reviewed(round_, panel, "Alpha clinics", "400000.00", [5, 5])      # 100
    b = reviewed(round_, panel, "Zeta buses", "300000.00", [4, 5],          # 90
                 partners=[chair.agency])
    c = reviewed(round_, panel, gamma_title, "500000.00", [4, 4])           # 80
    d = reviewed(round_, panel, "Beta roads", "50000.00", [3, 3],           # 60
                 partners=[chair.agency])
    e = reviewed(round_, panel, "Delta water", "100000.00", [2, 2])        # 40
    return round_, panel, chair, fm, (a, b, c, d, e)
