"""A review scene: a round in review with a panel from three agencies and a proposal."""

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
