"""A small world for the rewards tests: a funded experiment that did not work as hoped,
its team, a learning, a reviewer with a submitted (scored) review, a nomination."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from fund.models import Award
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import OutcomeReport
from reviews.models import Assignment, Panel, Review, Score
from rewards.factories import LearningFactory, NominationFactory, RecognitionFactory

SECRET_SCORE = Decimal("87.35")
SECRET_PANEL_NOTE = "CONFIDENTIAL-PANEL-NOTE"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fund_with_outcome(*, lead, result, amount=Decimal("500000.00"), title=None, **kwargs):
    """A closed proposal led by `lead`, with its award and outcome report."""
    proposal = ProposalFactory(lead=lead, closed=True, title=title or f"Experiment of {lead}",
                               **kwargs)
    fm = UserFactory(fund_manager=True)
    Award.objects.create(proposal=proposal, amount=amount, approved_by=fm)
    OutcomeReport.objects.create(
        proposal=proposal, result=result, summary="What happened in the experiment.",
        indicators="Waiting time; satisfaction.", amount_spent=amount,
        citizen_feedback="Patients told us.",
        next_step=OutcomeReport.NextStep.STOP if result == "did_not_succeed" else "scale_up",
        submitted_by=lead,
    )
    return proposal


def submitted_review(*, reviewer, proposal, chair=None):
    panel = Panel.objects.create(round=proposal.round, name="Panel A",
                                 chair=chair or UserFactory())
    panel.members.add(reviewer)
    assignment = Assignment.objects.create(
        proposal=proposal, reviewer=reviewer, panel=panel, due_on=timezone.localdate(),
        state=Assignment.State.SUBMITTED,
    )
    review = Review.objects.create(
        assignment=assignment, recommendation=Review.Recommendation.FUND,
        weighted_score=SECRET_SCORE, comment_to_panel=SECRET_PANEL_NOTE,
        comment_to_applicant="Clear plan.", submitted_at=timezone.now(),
    )
    for criterion in proposal.round.criteria.all():
        Score.objects.create(review=review, criterion=criterion, value=4)
    return assignment


@dataclass
class World:
    agency: object
    lead: object
    team_member: object
    civil_servant: object
    fund_manager: object
    hr_officer: object
    reviewer: object
    colleague: object
    proposal: object
    learning: object
    public_learning: object
    recognition: object
    nomination: object
    admin: object

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    agency = AgencyFactory(code="MOH", name="Ministry of Health")
    lead = UserFactory(username="pema", first_name="Pema", last_name="Choden", agency=agency)
    team_member = UserFactory(username="karma", first_name="Karma", last_name="Wangdi")
    proposal = fund_with_outcome(lead=lead, result=OutcomeReport.Result.DID_NOT_SUCCEED,
                                 title="SMS queue at district hospitals")
    TeamMemberFactory(proposal=proposal, user=team_member, role="Analyst")
    learning = LearningFactory(
        title="Older patients missed SMS calls", proposal=proposal, created_by=lead,
        authors=[lead, team_member], kind="failure", tags=["health", "sms"],
    )
    public_learning = LearningFactory(
        title="Farmers kept the price board current", created_by=team_member, public=True,
        success=True, tags=["agriculture"],
    )
    reviewer = UserFactory(username="tashi", first_name="Tashi", last_name="Dorji")
    submitted_review(reviewer=reviewer, proposal=proposal)
    fund_manager = UserFactory(username="sonam", fund_manager=True)
    hr_officer = UserFactory(username="dechen", hr_officer=True)
    recognition = RecognitionFactory(recipient=lead, awarded_by=fund_manager,
                                     kind="learning_champion")
    nomination = NominationFactory(nominee=lead, nominated_by=team_member)
    return World(
        agency=agency, lead=lead, team_member=team_member,
        civil_servant=UserFactory(username="other"), fund_manager=fund_manager,
        hr_officer=hr_officer, reviewer=reviewer, colleague=UserFactory(username="colleague"),
        proposal=proposal, learning=learning, public_learning=public_learning,
        recognition=recognition, nomination=nomination,
        admin=UserFactory(username="admin", is_staff=True, is_superuser=True),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as `user` (None: anonymous)."""
    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client
    return make


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api
    return make
